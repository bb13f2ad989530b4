// A script that does not parse fails before any of it runs, and where the error is gets said three
// ways: CommonJS's SyntaxError starts its stack with `file:line`, the line and a caret; esbuild (the
// TypeScript transform of scriptHooks.ts) puts `file:line:col: ERROR: text` in its message; an ES
// module's SyntaxError names no place at all, so the script's own files are parsed to find it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceLocation } from '../../protocol/modelInfo';
import { parseSource } from '../../source/sourceTree';

export interface ScriptSyntaxError {
  /** What the parser said: node's words, or esbuild's for TypeScript. */
  message: string;
  location: SourceLocation | null;
}

export const SYNTAX_ERROR_HINT = 'Fix the script and run it again.';

// esbuild's columns are 0-based.
const ESBUILD_FAILURE = /^Transform failed with \d+ errors?:\n(.+?):(\d+):(\d+): ERROR: (.+)$/m;
const CARET = /^(.+?):(\d+)\n.*\n([ \t]*)\^/;
const RELATIVE_IMPORT = /(?:\bfrom|\bimport\s*\(|\bimport|\brequire\s*\()\s*['"](\.{1,2}\/[^'"]+)['"]/g;
/** The files parsed at most in search of an ES module's error. */
const MAX_FILES = 50;

/**
 * The syntax error that kept the script from starting, or null when `err` is not one. A SyntaxError
 * the script's code throws as it runs (JSON.parse's) has a frame in the script (`inScript`): not one.
 */
export function scriptSyntaxError(err: Error, script: string, isUserFile: (file: string) => boolean, inScript: boolean): ScriptSyntaxError | null {
  const esbuild = ESBUILD_FAILURE.exec(err.message);
  if (esbuild) {
    return { message: esbuild[4], location: { file: path.resolve(esbuild[1]), line: Number(esbuild[2]), column: Number(esbuild[3]) + 1 } };
  }
  if (err.name !== 'SyntaxError') return null;
  // Checked before the frames: a require of a broken file has the requiring line among them.
  const caret = CARET.exec(err.stack ?? '');
  const file = caret && (caret[1].startsWith('file:') ? fileURLToPath(caret[1]) : caret[1]);
  if (caret && file && isUserFile(file)) return { message: err.message, location: { file, line: Number(caret[2]), column: caret[3].length + 1 } };
  if (inScript) return null;
  return { message: err.message, location: firstParseError(script, isUserFile) };
}

/** The first syntax error the parser finds in the script or, breadth first, the files it imports relatively. */
function firstParseError(script: string, isUserFile: (file: string) => boolean): SourceLocation | null {
  const queue = [script];
  const seen = new Set(queue);
  for (let i = 0; i < queue.length && i < MAX_FILES; i++) {
    const file = queue[i];
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const [error] = parseSource(text, file).errors;
    if (error) return { file, line: error.line, column: error.column };
    for (const m of text.matchAll(RELATIVE_IMPORT)) {
      const imported = resolveRelative(path.dirname(file), m[1]);
      if (imported && !seen.has(imported) && isUserFile(imported)) {
        seen.add(imported);
        queue.push(imported);
      }
    }
  }
  return null;
}

/** The file a relative import names, in the spellings scriptHooks.ts resolves (TypeScript's too). */
function resolveRelative(dir: string, specifier: string): string | null {
  const stem = specifier.replace(/\.js$/, '');
  for (const candidate of [specifier, `${stem}.ts`, `${stem}.mts`, `${stem}/index.ts`, `${specifier}.js`, `${specifier}/index.js`]) {
    const file = path.resolve(dir, candidate);
    try {
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // the next spelling
    }
  }
  return null;
}
