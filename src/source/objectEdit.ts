// Small edits of object literals in the user's source, as the smallest text change: the shared part
// of the freeze edit and the doctor's Quick Fixes (a layer's activation, an experiment setting).
import type * as t from '@babel/types';
import { startOf } from './sourceTree';

/** Replace `[start, end)` of the original text with `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export const lineAt = (text: string, offset: number) => text.slice(0, offset).split('\n').length;
export const start = (n: t.Node | t.Comment) => n.start ?? 0;
export const end = (n: t.Node | t.Comment) => n.end ?? 0;

/** A JavaScript string literal of `value` in quote `q`. */
export function stringLiteral(value: string, q: "'" | '"'): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(q === "'" ? /'/g : /"/g, `\\${q}`)
    .replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `${q}${escaped}${q}`;
}

/** The quote of the first string literal under `node` (the file's habit), else a single quote. */
export function quoteOf(node: t.Node): "'" | '"' {
  const stack: unknown[] = [node];
  for (let seen = 0; stack.length && seen < 2000; seen++) {
    const n = stack.pop() as Record<string, unknown> | null;
    if (!n || typeof n !== 'object') continue;
    if (n.type === 'StringLiteral') return String((n.extra as { raw?: string } | undefined)?.raw ?? "'").startsWith('"') ? '"' : "'";
    for (const [k, v] of Object.entries(n)) {
      if (k === 'loc' || k === 'extra' || k.endsWith('Comments')) continue;
      if (Array.isArray(v)) stack.push(...[...v].reverse());
      else if (v && typeof v === 'object' && 'type' in v) stack.push(v);
    }
  }
  return "'";
}

/** The whitespace a line starts with. */
export function indentOfLine(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** Skips whitespace and comments from `from`; the offset of the next code character. */
export function nextCode(text: string, from: number, comments: readonly t.Comment[]): number {
  let i = from;
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++;
    const comment = comments.find((c) => start(c) === i);
    if (!comment) return i;
    i = end(comment);
  }
}

/** The one range that differs between two texts (common prefix and suffix kept). */
export function minimalEdit(before: string, after: string): TextEdit {
  let prefix = 0;
  const shorter = Math.min(before.length, after.length);
  while (prefix < shorter && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  return { start: prefix, end: before.length - suffix, text: after.slice(prefix, after.length - suffix) };
}

/** The text with `property` (`key: value`) added as the object's last property, in its layout; `focus` is an offset on its line. */
export function addProperty(text: string, object: t.ObjectExpression, property: string, comments: readonly t.Comment[]): { after: string; focus: number } {
  const last = object.properties[object.properties.length - 1];
  if (!last) return { after: `${text.slice(0, start(object) + 1)} ${property} ${text.slice(end(object) - 1)}`, focus: start(object) };
  const after = nextCode(text, end(last), comments);
  const trailingComma = text[after] === ',';
  if (startOf(last).line === startOf(object).line) {
    const at = trailingComma ? after + 1 : end(last);
    const insert = trailingComma ? ` ${property},` : `, ${property}`;
    return { after: text.slice(0, at) + insert + text.slice(at), focus: at + 2 };
  }
  // Multi-line: a new line after the last property, its comma, and a comment that ends its line.
  const codeEnd = trailingComma ? after + 1 : end(last);
  const lineEnd = text.indexOf('\n', codeEnd) === -1 ? text.length : text.indexOf('\n', codeEnd);
  const comment = comments.find((c) => start(c) >= codeEnd && start(c) < lineEnd && end(c) <= lineEnd);
  const at = comment ? end(comment) : codeEnd;
  const insert = `\n${indentOfLine(text, start(last))}${property}${trailingComma ? ',' : ''}`;
  const comma = trailingComma ? '' : ',';
  const out = `${text.slice(0, end(last))}${comma}${text.slice(end(last), at)}${insert}${text.slice(at)}`;
  return { after: out, focus: at + comma.length + 1 };
}

