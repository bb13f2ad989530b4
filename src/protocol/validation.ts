// A tiny structural checker: every message that enters a process (trainer IPC, host, webview)
// goes through a check before it is used. A check returns null when the value fits, or a message
// saying where it does not. Checks carry the type they check, so the compiler holds each message
// type and its check together: a message type or a field without a check does not compile
// (test/types/messageChecks.types.ts proves it).

declare const checks: unique symbol;

/** Checks that a value is a `T`. The type exists only for the compiler (no run-time field). */
export type Check<T = unknown> = ((value: unknown, path: string) => string | null) & { readonly [checks]?: T };

const describeValue = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'number' && !Number.isFinite(v) ? String(v) : typeof v);

export const finite: Check<number> = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? null : `${p} must be a finite number, got ${describeValue(v)}`);
export const integer: Check<number> = (v, p) => (Number.isInteger(v) ? null : `${p} must be an integer, got ${describeValue(v)}`);
export const string: Check<string> = (v, p) => (typeof v === 'string' ? null : `${p} must be a string, got ${describeValue(v)}`);
export const boolean: Check<boolean> = (v, p) => (typeof v === 'boolean' ? null : `${p} must be a boolean, got ${describeValue(v)}`);
export const anything: Check<unknown> = () => null;

export const nullable = <T>(check: Check<T>): Check<T | null> => (v, p) => (v === null ? null : check(v, p));
export const optional = <T>(check: Check<T>): Check<T | undefined> => (v, p) => (v === undefined ? null : check(v, p));
export const literal = <const V extends readonly (string | number | boolean | null)[]>(...values: V): Check<V[number]> => (v, p) =>
  values.includes(v as V[number]) ? null : `${p} must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}, got ${JSON.stringify(v)}`;

/** A value that passes `first` or `second`; `what` words the failure of both. */
export const either = <A, B>(first: Check<A>, second: Check<B>, what: string): Check<A | B> => (v, p) =>
  first(v, p) === null || second(v, p) === null ? null : `${p} must be ${what}`;

/** `check`, then a rule over the value it let through. */
export const refine = <T>(check: Check<T>, rule: (value: T, path: string) => string | null): Check<T> => (v, p) =>
  check(v, p) ?? rule(v as T, p);

// The containers below check each element against their own path first and build the element's
// path (`p[i]`, `p.k`) only to word a failure: a long column or a big message allocates no strings.

export const arrayOf = <T>(check: Check<T>): Check<T[]> => (v, p) => {
  if (!Array.isArray(v)) return `${p} must be an array, got ${describeValue(v)}`;
  for (let i = 0; i < v.length; i++) {
    if (check(v[i], p)) return check(v[i], `${p}[${i}]`);
  }
  return null;
};

export const recordOf = <T>(check: Check<T>): Check<Record<string, T>> => (v, p) => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return `${p} must be an object, got ${describeValue(v)}`;
  for (const [k, x] of Object.entries(v)) {
    if (check(x, p)) return check(x, `${p}.${k}`);
  }
  return null;
};

/** A check for every field of `T`, and for nothing else (an optional field's check gets `undefined` too). */
export type FieldChecks<T> = { [K in keyof T]-?: Check<T[K]> };

function fieldsCheck(fields: Record<string, Check>): Check {
  const entries = Object.entries(fields);
  return (v, p) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return `${p} must be an object, got ${describeValue(v)}`;
    for (const [k, check] of entries) {
      const x = (v as Record<string, unknown>)[k];
      if (check(x, p)) return check(x, `${p}.${k}`);
    }
    return null;
  };
}

/**
 * An object whose fields pass `fields`. `T` comes from where the check is used (or is given), never
 * from the fields, so a missing or extra field check is a compile error rather than a narrower type.
 */
export const objectOf = <T>(fields: FieldChecks<NoInfer<T>>): Check<T> => fieldsCheck(fields as Record<string, Check>) as Check<T>;

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

type Tagged = { type: string };

/** For every member of the union `U`, by its `type`: the checks of its other fields. */
export type TaggedFields<U extends Tagged> = { [K in U['type']]: FieldChecks<Omit<Extract<U, { type: K }>, 'type'>> };

/** The check of a tagged union: `type` picks the member, whose fields are then checked (errors start with `what`). */
export function taggedUnion<U extends Tagged>(what: string, members: TaggedFields<U>): (value: unknown) => Checked<U> {
  const checks = new Map<string, Check>(Object.entries(members).map(([type, fields]) => [type, fieldsCheck(fields as Record<string, Check>)]));
  return (value) => {
    if (!value || typeof value !== 'object') return { ok: false, error: `${what} must be an object, got ${describeValue(value)}` };
    const type = (value as { type?: unknown }).type;
    const check = typeof type === 'string' ? checks.get(type) : undefined;
    if (!check) return { ok: false, error: `${what} has unknown type ${JSON.stringify(type)}` };
    const error = check(value, type as string);
    return error ? { ok: false, error: `${what}: ${error}` } : { ok: true, value: value as U };
  };
}
