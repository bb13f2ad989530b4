import type { LrSchedule, ScheduleContext } from './schedule';
import { describeValue, ScheduleConfigError } from './scheduleConfigError';

/** One schedule type: the PyTorch class it reproduces, the fields it takes and how it is made. */
export interface ScheduleDefinition {
  /** The PyTorch class (for `none`: what it is). */
  torchClass: string;
  /** Accepted fields: our camelCase name → PyTorch's argument name (null: ours, not PyTorch's). */
  fields: Record<string, string | null>;
  /** A minimal valid spec, for hints. */
  example: string;
  create(r: SpecReader, ctx: ScheduleContext): LrSchedule;
}

interface NumberCheck {
  what: string;
  ok: (v: number) => boolean;
}

/** Reads and checks the fields of one spec; every failure is a ScheduleConfigError naming type and field. */
export class SpecReader {
  /** `specPath` is where the spec sits in the caller's settings (hints say `Fix <specPath>.<field>`). */
  constructor(
    readonly type: string,
    private readonly definition: ScheduleDefinition,
    private readonly spec: Record<string, unknown>,
    private readonly specPath: string,
  ) {}

  rejectUnknownFields(): void {
    const known = this.definition.fields;
    const accepted = Object.keys(known);
    for (const key of Object.keys(this.spec)) {
      if (key === 'type' || Object.hasOwn(known, key) || this.spec[key] === undefined) continue;
      // PyTorch's snake_case name (`step_size`) or a different capitalisation (`tmax`).
      const lower = key.replace(/_/g, '').toLowerCase();
      const meant = accepted.find((k) => known[k] === key || k.toLowerCase() === lower);
      throw new ScheduleConfigError(
        `schedule "${this.type}": unknown field "${key}"`,
        (meant ? `Did you mean "${meant}"? ` : '') +
          (accepted.length
            ? `"${this.type}" (${this.definition.torchClass}) accepts: ${accepted.join(', ')}.`
            : `"${this.type}" takes no fields besides type.`),
      );
    }
  }

  /**
   * A finite number passing `check`; `dflt` when absent. Without a default the field is required,
   * and `meaning` says what it is when it is missing.
   */
  number(field: string, check: NumberCheck, dflt?: number, meaning?: string): number {
    const v = this.spec[field];
    if (v === undefined) {
      if (dflt !== undefined) return dflt;
      throw new ScheduleConfigError(
        `schedule "${this.type}": ${field} is required${meaning ? ` (${meaning})` : ''}; set it to ${check.what}`,
        `For example schedule: ${this.definition.example} — ${this.describe(field)}.`,
      );
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || !check.ok(v)) this.fail(field, `must be ${check.what}`, v);
    return v as number;
  }

  positive(field: string, dflt?: number, meaning?: string): number {
    return this.number(field, { what: 'a number greater than 0', ok: (v) => v > 0 }, dflt, meaning);
  }

  nonNegative(field: string, dflt?: number): number {
    return this.number(field, { what: 'a number ≥ 0', ok: (v) => v >= 0 }, dflt);
  }

  /** An integer ≥ min (1: "a positive integer", 0: "a non-negative integer"). */
  int(field: string, min: 0 | 1, dflt?: number, meaning?: string): number {
    const what = min === 1 ? 'a positive integer' : 'a non-negative integer';
    return this.number(field, { what, ok: (v) => Number.isInteger(v) && v >= min }, dflt, meaning);
  }

  choice<T extends string>(field: string, options: readonly T[], dflt: T): T {
    const v = this.spec[field];
    if (v === undefined) return dflt;
    if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) {
      this.fail(field, `must be one of ${options.map((o) => `'${o}'`).join(', ')}`, v);
    }
    return v as T;
  }

  bool(field: string, dflt: boolean): boolean {
    const v = this.spec[field];
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') this.fail(field, 'must be true or false', v);
    return v as boolean;
  }

  /** Throws `schedule "<type>": <field> <must>, got <value>` with a hint (the default names PyTorch's argument). */
  fail(field: string, must: string, got: unknown, hint?: string): never {
    throw new ScheduleConfigError(
      `schedule "${this.type}": ${field} ${must}, got ${describeValue(got)}`,
      hint ?? `Fix ${this.specPath}.${field} (${this.describe(field)}); for example schedule: ${this.definition.example}.`,
    );
  }

  private describe(field: string): string {
    const torch = this.definition.fields[field];
    return torch === null ? `${field} is our own field, not a PyTorch argument` : `${field} is ${this.definition.torchClass}'s ${torch}`;
  }
}
