import type { SourceLocation } from '../protocol/modelInfo';

/**
 * An error caused by the user's input (their experiment file, model.json or data), reported as one
 * clear message with the place in their source and what to do — never as our stack trace.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly location: SourceLocation | null = null,
    readonly hint: string | null = null,
  ) {
    super(message);
    this.name = 'UserError';
  }

  /** `file:line:col: message` then the hint, as compilers print them. */
  format(): string {
    const where = this.location
      ? `${this.location.file}:${this.location.line}:${this.location.column}: `
      : '';
    return `${where}${this.message}${this.hint ? `\n  ${this.hint}` : ''}`;
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
