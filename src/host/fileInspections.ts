// At most one inspection per file (graph and summary without training: hovers, Show Model Graph,
// Problems on save). A request for the file as it is now (on disk, or the editor's unsaved text)
// shares the inspection already running for it; a request after the file changed kills the older one
// (it may hang in the old code until its build timeout) and starts anew, so a hung inspection never
// blocks the next one.
// No `vscode` import: tested in plain Node.
import * as fs from 'node:fs';
import type { RunSession } from './runSession';

export interface Inspection {
  session: RunSession;
  /** Resolves when the inspection has ended, however it ended. */
  ended: Promise<void>;
  /** False when an inspection of the same file content was already running and is shared. */
  started: boolean;
}

/** What tells one version of a file from the next: the editor's unsaved text, else its state on disk. */
function fileStamp(file: string, sourceText: string | undefined): string {
  if (sourceText !== undefined) return `text:${sourceText}`;
  try {
    const s = fs.statSync(file);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return 'missing';
  }
}

export class FileInspections {
  private readonly byFile = new Map<string, { session: RunSession; ended: Promise<void>; stamp: string }>();

  constructor(private readonly start: (file: string, sourceText: string | undefined) => RunSession) {}

  /** The inspection of `file` as it is now: `sourceText` when the editor holds unsaved changes, else as on disk. */
  request(file: string, sourceText?: string): Inspection {
    const stamp = fileStamp(file, sourceText);
    const current = this.byFile.get(file);
    if (current?.session.running && current.stamp === stamp) return { session: current.session, ended: current.ended, started: false };
    current?.session.dispose();
    const session = this.start(file, sourceText);
    const ended = session.running ? new Promise<void>((resolve) => session.once('end', () => resolve())) : Promise.resolve();
    this.byFile.set(file, { session, ended, stamp });
    return { session, ended, started: true };
  }

  /** The newest inspection of `file`, running or ended. */
  latest(file: string): RunSession | undefined {
    return this.byFile.get(file)?.session;
  }

  dispose(): void {
    for (const { session } of this.byFile.values()) session.dispose();
    this.byFile.clear();
  }
}
