import type { ModelGraph, SourceLocation } from '../protocol/modelInfo';
import type { SettingPath } from '../protocol/settingRules';

/**
 * An error caused by the user's input (their experiment file, model.json or data), reported as one
 * clear message with the place in their source and what to do — never as our stack trace.
 */
export class UserError extends Error {
  /** The experiment setting at fault (`['freeze', 2]`), for whoever knows the file to place it at the key's line. */
  setting: SettingPath | null = null;
  /** What of the model was built before a layer call failed (model() threw a shape error). */
  partialGraph: ModelGraph | null = null;

  constructor(
    message: string,
    readonly location: SourceLocation | null = null,
    readonly hint: string | null = null,
  ) {
    super(message);
    this.name = 'UserError';
  }

  /** An error about one setting of the experiment, placed later at its key (see `setting`). */
  static atSetting(setting: SettingPath, message: string, hint: string | null = null): UserError {
    const e = new UserError(message, null, hint);
    e.setting = setting;
    return e;
  }

  /** The same error placed at `location` (when it had no place yet). */
  placed(location: SourceLocation): UserError {
    if (this.location) return this;
    const placed = new UserError(this.message, location, this.hint);
    placed.partialGraph = this.partialGraph;
    return placed;
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
