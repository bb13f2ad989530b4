// Rules an experiment's settings must follow, and the check that walks them. The table itself is in
// experimentSchema.ts; this file knows nothing about experiments. A problem names the setting by its
// key path (`['training', 'optimizer', 'learningRate']`) so the caller can point at the key's line.

export type SettingPath = readonly (string | number)[];

export interface SettingProblem {
  /** The key (or array element) to point at; for a missing key, the object that should hold it. */
  path: SettingPath;
  message: string;
  hint: string | null;
}

export interface Rule {
  /** What a valid value is, for messages: "a positive integer". */
  readonly what: string;
  /** The first problem in `value`, or null. */
  check(value: unknown, path: SettingPath): SettingProblem | null;
}

export interface Field {
  rule: Rule;
  required?: boolean;
  /** Other names people write for it (`lr`), for "did you mean" only. */
  aka?: readonly string[];
  /** What to do when its value is wrong (an example). */
  hint?: string;
}

export type Fields = Record<string, Field>;

/** A rule for objects: knows its keys, so typos get a suggestion and misplaced keys a pointer. */
export interface ObjectRule extends Rule {
  /** The fields valid for `value` (a variant rule's depend on its tag). */
  fieldsFor(value: unknown): Fields;
}

/** `training.optimizer.learningRate`, `freeze[2]`. */
export function pathText(path: SettingPath): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${k}` : k), '');
}

/** A value as a message shows it: strings quoted, NaN and Infinity as such, long structures cut. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (typeof v === 'function') return 'a function';
  try {
    const s = JSON.stringify(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return Object.prototype.toString.call(v);
  }
}

const normalized = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');

/** Edits (insert, delete, replace, swap two neighbours) from a to b: optimal string alignment distance. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate `written` most likely meant: the same up to case, `_` and `-` (`learning_rate`), a
 * listed other name (`lr`), or within a small edit distance (`epoch`, `optimiser`).
 */
export function closest(written: string, candidates: Iterable<string>, aka: (c: string) => readonly string[] = () => []): string | null {
  const w = normalized(written);
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (aka(c).some((a) => normalized(a) === w)) return c;
    const n = normalized(c);
    const d = editDistance(w, n);
    // Up to one edit in three characters: `epoch`, `optimiser`, `triangle` for `triangular`.
    if (d <= Math.max(1, Math.floor(Math.max(w.length, n.length) / 3)) && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

const problem = (path: SettingPath, message: string, hint: string | null = null): SettingProblem => ({ path, message, hint });
const mustBe = (rule: Rule, v: unknown, path: SettingPath, hint: string | null = null) =>
  problem(path, `${pathText(path)} must be ${rule.what}, got ${show(v)}`, hint);

export interface NumberOptions {
  what: string;
  integer?: boolean;
  min?: number;
  max?: number;
  /** Exclusive bounds. */
  above?: number;
  below?: number;
  not?: number;
}

/** A finite number (never NaN or ±Infinity) within the bounds given. */
export function number(o: NumberOptions): Rule {
  const rule: Rule = {
    what: o.what,
    check: (v, path) => {
      const ok = typeof v === 'number' && Number.isFinite(v) && (!o.integer || Number.isInteger(v)) &&
        (o.min === undefined || v >= o.min) && (o.max === undefined || v <= o.max) &&
        (o.above === undefined || v > o.above) && (o.below === undefined || v < o.below) && (o.not === undefined || v !== o.not);
      return ok ? null : mustBe(rule, v, path);
    },
  };
  return rule;
}

export function text(what = 'a string', ok: (s: string) => boolean = () => true): Rule {
  const rule: Rule = { what, check: (v, path) => (typeof v === 'string' && ok(v) ? null : mustBe(rule, v, path)) };
  return rule;
}

export function flag(): Rule {
  const rule: Rule = { what: 'true or false', check: (v, path) => (typeof v === 'boolean' ? null : mustBe(rule, v, path)) };
  return rule;
}

export function fn(what = 'a function'): Rule {
  const rule: Rule = { what, check: (v, path) => (typeof v === 'function' ? null : mustBe(rule, v, path)) };
  return rule;
}

const listOfValues = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** One of a few strings; `guesses` maps other spellings (`StepLR`) to the value meant, for hints. */
export function oneOf(values: readonly string[], o: { caseInsensitive?: boolean; guesses?: Record<string, string> } = {}): Rule {
  const accepted = (v: string) => values.includes(o.caseInsensitive ? v.trim().toLowerCase() : v);
  const rule: Rule = {
    what: `one of ${listOfValues(values)}`,
    check: (v, path) => {
      if (typeof v === 'string' && accepted(v)) return null;
      const guess = typeof v === 'string'
        ? (Object.entries(o.guesses ?? {}).find(([k]) => normalized(k) === normalized(v))?.[1] ?? closest(v, values))
        : null;
      return problem(path, `${pathText(path)} must be ${rule.what}, got ${show(v)}${guess ? ` — did you mean '${guess}'?` : ''}`);
    },
  };
  return rule;
}

export function listOf(element: Rule, o: { what?: string; minLength?: number; distinct?: boolean } = {}): Rule {
  const rule: Rule = {
    what: o.what ?? `a list of ${element.what}`,
    check: (v, path) => {
      if (!Array.isArray(v) || v.length < (o.minLength ?? 0)) return mustBe(rule, v, path);
      for (let i = 0; i < v.length; i++) {
        const p = element.check(v[i], [...path, i]);
        if (p) return p;
        if (o.distinct && v.indexOf(v[i]) !== i) return problem([...path, i], `${pathText(path)} lists ${show(v[i])} twice`);
      }
      return null;
    },
  };
  return rule;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where the problem of an unknown key is worded: a typo of a sibling, or a key of a nested object. */
function unknownKey(key: string, path: SettingPath, fields: Fields): SettingProblem {
  const where = path.length ? pathText(path) : 'the experiment';
  const sibling = closest(key, Object.keys(fields), (c) => fields[c].aka ?? []);
  let meant = sibling;
  if (!meant) {
    for (const [name, field] of Object.entries(fields)) {
      const nested = 'fieldsFor' in field.rule ? (field.rule as ObjectRule).fieldsFor(undefined) : {};
      const inner = Object.keys(nested).find((k) => normalized(k) === normalized(key));
      if (inner) { meant = `${name}.${inner}`; break; }
    }
  }
  return problem([...path, key], `unknown key \`${key}\` in ${where}${meant ? ` — did you mean \`${meant}\`?` : ''}`,
    `${where === 'the experiment' ? 'The experiment' : where} accepts ${Object.keys(fields).join(', ')}.`);
}

function checkFields(v: Record<string, unknown>, path: SettingPath, fields: Fields): SettingProblem | null {
  for (const key of Object.keys(v)) {
    // `undefined` values are how spreads and optional variables leave a key out: not a typo.
    if (!Object.hasOwn(fields, key) && v[key] !== undefined) return unknownKey(key, path, fields);
  }
  for (const [key, field] of Object.entries(fields)) {
    const value = v[key];
    if (value === undefined) {
      if (field.required) {
        return problem(path, `${pathText(path) || 'the experiment'} needs \`${key}\` (${field.rule.what})`);
      }
      continue;
    }
    const p = field.rule.check(value, [...path, key]);
    if (p) return p.hint === null && field.hint ? { ...p, hint: field.hint } : p;
  }
  return null;
}

export function object(fields: Fields, what = 'an object'): ObjectRule {
  const rule: ObjectRule = {
    what,
    fieldsFor: () => fields,
    check: (v, path) => (isPlainObject(v) ? checkFields(v, path, fields) : mustBe(rule, v, path)),
  };
  return rule;
}

export interface VariantOptions {
  /** Fields every variant has besides the tag. */
  common?: Fields;
  caseInsensitive?: boolean;
  guesses?: Record<string, string>;
  what?: string;
}

/** Objects of several kinds told apart by `tag` (`type: 'adam'`), each kind with its own fields. */
export function variants(tag: string, kinds: Record<string, Fields>, o: VariantOptions = {}): ObjectRule {
  const names = Object.keys(kinds);
  const tagRule = oneOf(names, { caseInsensitive: o.caseInsensitive, guesses: o.guesses });
  const kindOf = (v: unknown): string | undefined => {
    const t = isPlainObject(v) ? v[tag] : undefined;
    return typeof t === 'string' ? (o.caseInsensitive ? t.trim().toLowerCase() : t) : undefined;
  };
  const fieldsOf = (kind: string | undefined): Fields => ({
    [tag]: { rule: tagRule, required: true }, ...(o.common ?? {}), ...(kind && Object.hasOwn(kinds, kind) ? kinds[kind] : {}),
  });
  const rule: ObjectRule = {
    what: o.what ?? `an object with \`${tag}\` (${listOfValues(names)})`,
    fieldsFor: (v) => fieldsOf(kindOf(v)),
    check: (v, path) => {
      if (!isPlainObject(v)) return mustBe(rule, v, path);
      if (v[tag] === undefined) return problem(path, `${pathText(path)} needs \`${tag}\`: ${tagRule.what}`);
      const tagProblem = tagRule.check(v[tag], [...path, tag]);
      if (tagProblem) return tagProblem;
      return checkFields(v, path, fieldsOf(kindOf(v)));
    },
  };
  return rule;
}

/** A rule with a test of its own; `explain` words why a value fails (else "must be …"). */
export function custom(what: string, ok: (v: unknown) => boolean, explain?: (v: unknown, path: SettingPath) => string): Rule {
  const rule: Rule = {
    what,
    check: (v, path) => (ok(v) ? null : explain ? problem(path, explain(v, path)) : mustBe(rule, v, path)),
  };
  return rule;
}
