// The user's own files in an experiment bundle: which files they are, how a position in a stack frame
// maps back to the file as the user wrote it (the bundler marked function entries: functionEntries.ts),
// and which function of the file holds a position.
import type { SourceLocation } from '../protocol/modelInfo';
import { originalColumn, type ColumnShift, type FunctionSpan } from '../source/functionEntries';

export interface MarkedFile {
  functions: FunctionSpan[];
  shifts: ColumnShift[];
}

export class UserSources {
  private readonly byId = new Map<number, FunctionSpan>();

  /** `files`: every user file of the bundle, with its marks (null when it was bundled as it is); `accepts`: which files are the user's. */
  constructor(
    private readonly files: ReadonlyMap<string, MarkedFile | null>,
    private readonly accepts: (file: string) => boolean = (file) => files.has(file),
  ) {
    for (const marked of files.values()) for (const f of marked?.functions ?? []) this.byId.set(f.id, f);
  }

  /** Sources of plain files, nothing marked (tests, model.json). */
  static unmarked(files: Iterable<string>): UserSources {
    return new UserSources(new Map([...files].map((f) => [f, null])));
  }

  /** Sources of a script: every file the predicate accepts (its folder's, not node_modules), nothing marked. */
  static matching(accepts: (file: string) => boolean): UserSources {
    return new UserSources(new Map(), accepts);
  }

  has(file: string): boolean {
    return this.accepts(file);
  }

  get names(): string[] {
    return [...this.files.keys()];
  }

  /** A position a stack frame (through the bundle's source map) reports, as a position of the user's file. */
  original(file: string, line: number, column: number): SourceLocation {
    const shifts = this.files.get(file)?.shifts;
    return { file, line, column: shifts ? originalColumn(shifts, line, column) : column };
  }

  /** The innermost marked function of `file` that holds the (original) position. */
  functionAt(file: string, line: number, column: number): FunctionSpan | null {
    let best: FunctionSpan | null = null;
    for (const f of this.files.get(file)?.functions ?? []) {
      if (!within(f, line, column)) continue;
      if (!best || within(best, f.start.line, f.start.column)) best = f;
    }
    return best;
  }

  functionById(id: number): FunctionSpan | null {
    return this.byId.get(id) ?? null;
  }
}

function within(f: FunctionSpan, line: number, column: number): boolean {
  const after = line > f.start.line || (line === f.start.line && column >= f.start.column);
  const before = line < f.end.line || (line === f.end.line && column <= f.end.column);
  return after && before;
}
