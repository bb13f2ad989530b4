// A tiny structural checker: every message that enters a process (trainer stdout/IPC, host,
// webview) goes through `checkTrainerMessage` / `checkTrainerCommand` before it is used.
// A check returns null when the value fits, or a message saying where it does not.

export type Check = (value: unknown, path: string) => string | null;

const describeValue = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'number' && !Number.isFinite(v) ? String(v) : typeof v);

export const finite: Check = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? null : `${p} must be a finite number, got ${describeValue(v)}`);
export const integer: Check = (v, p) => (Number.isInteger(v) ? null : `${p} must be an integer, got ${describeValue(v)}`);
export const string: Check = (v, p) => (typeof v === 'string' ? null : `${p} must be a string, got ${describeValue(v)}`);
export const boolean: Check = (v, p) => (typeof v === 'boolean' ? null : `${p} must be a boolean, got ${describeValue(v)}`);
export const anything: Check = () => null;

export const nullable = (check: Check): Check => (v, p) => (v === null ? null : check(v, p));
export const optional = (check: Check): Check => (v, p) => (v === undefined ? null : check(v, p));
export const literal = (...values: unknown[]): Check => (v, p) =>
  values.includes(v) ? null : `${p} must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}, got ${JSON.stringify(v)}`;

// The containers below check each element against their own path first and build the element's
// path (`p[i]`, `p.k`) only to word a failure: a long column or a big message allocates no strings.

export const arrayOf = (check: Check): Check => (v, p) => {
  if (!Array.isArray(v)) return `${p} must be an array, got ${describeValue(v)}`;
  for (let i = 0; i < v.length; i++) {
    if (check(v[i], p)) return check(v[i], `${p}[${i}]`);
  }
  return null;
};

export const recordOf = (check: Check): Check => (v, p) => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return `${p} must be an object, got ${describeValue(v)}`;
  for (const [k, x] of Object.entries(v)) {
    if (check(x, p)) return check(x, `${p}.${k}`);
  }
  return null;
};

export const object = (fields: Record<string, Check>): Check => (v, p) => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return `${p} must be an object, got ${describeValue(v)}`;
  for (const [k, check] of Object.entries(fields)) {
    const x = (v as Record<string, unknown>)[k];
    if (check(x, p)) return check(x, `${p}.${k}`);
  }
  return null;
};

export const all = (...checks: Check[]): Check => (v, p) => {
  for (const c of checks) {
    const e = c(v, p);
    if (e) return e;
  }
  return null;
};

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** Checks a tagged union: `type` picks the object check. */
export function checkTagged<T>(value: unknown, checks: Record<string, Check>, what: string): Checked<T> {
  if (!value || typeof value !== 'object') return { ok: false, error: `${what} must be an object, got ${describeValue(value)}` };
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(checks, type)) {
    return { ok: false, error: `${what} has unknown type ${JSON.stringify(type)}` };
  }
  const error = checks[type](value, type);
  return error ? { ok: false, error: `${what}: ${error}` } : { ok: true, value: value as T };
}
