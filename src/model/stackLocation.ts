import type { SourceLocation, StackFrame } from '../protocol/modelInfo';

/** The user's files as stack frames see them: which they are, and their positions as the user wrote them. */
export interface UserFiles {
  has(file: string): boolean;
  original(file: string, line: number, column: number): SourceLocation;
}

// V8 frames look like `at fn (/abs/file.ts:12:5)` or `at /abs/file.ts:12:5`.
const FRAME = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?\s*$/;

interface ParsedFrame { name: string | null; location: SourceLocation }

function* userFrames(stack: string | undefined, files: UserFiles): Generator<ParsedFrame> {
  if (!stack) return;
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line);
    if (!m) continue;
    let file = m[2];
    if (file.startsWith('file://')) file = decodeURIComponent(new URL(file).pathname);
    if (files.has(file)) yield { name: m[1] ?? null, location: files.original(file, Number(m[3]), Number(m[4])) };
  }
}

/**
 * The first stack frame that lies in one of the user's files (with source maps on, frames of the
 * bundled experiment already name the user's original .ts file, line and column).
 */
export function userFrame(stack: string | undefined, files: UserFiles): SourceLocation | null {
  for (const frame of userFrames(stack, files)) return frame.location;
  return null;
}

/**
 * Every frame of the stack in the user's files, outermost first, with the function V8 names
 * (`Object.model` → `model`; null for an anonymous function or the module's top level).
 */
export function userStack(stack: string | undefined, files: UserFiles): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const { name, location } of userFrames(stack, files)) frames.push({ function: plainName(name), ...location });
  return frames.reverse();
}

function plainName(name: string | null): string | null {
  if (!name) return null;
  const bare = name.replace(/^(async |new )/, '').replace(/ \[as [^\]]+\]$/, '');
  const last = bare.slice(bare.lastIndexOf('.') + 1);
  return last === '<anonymous>' || last === '' ? null : last;
}
