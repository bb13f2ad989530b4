/**
 * A schedule spec or context that cannot work (an unknown type or field, a value out of range): its
 * message names the schedule and field, its hint says what to write instead. Mistakes in calling
 * the API (stepping past the end, a plateau without its metric) are plain Errors.
 */
export class ScheduleConfigError extends Error {
  constructor(message: string, readonly hint: string) {
    super(message);
    this.name = 'ScheduleConfigError';
  }
}

/** A value as an error message shows it. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (typeof v === 'function') return 'a function';
  try {
    const s = JSON.stringify(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(v);
  }
}
