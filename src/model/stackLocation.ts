import type { SourceLocation } from '../protocol/modelInfo';

// V8 frames look like `at fn (/abs/file.ts:12:5)` or `at /abs/file.ts:12:5`.
const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?\s*$/;

/**
 * The first stack frame that lies in one of the user's files (with source maps on, frames of the
 * bundled experiment already name the user's original .ts file, line and column).
 */
export function userFrame(stack: string | undefined, isUserFile: (file: string) => boolean): SourceLocation | null {
  if (!stack) return null;
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line);
    if (!m) continue;
    let file = m[1];
    if (file.startsWith('file://')) file = decodeURIComponent(new URL(file).pathname);
    if (isUserFile(file)) return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return null;
}
