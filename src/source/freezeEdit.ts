// Freeze / Unfreeze from the graph, written back into the experiment file as its `freeze` list so the
// run stays reproducible from the file alone. The edit is found through the syntax tree: only the
// experiment object's own `freeze` key, only a literal list of string literals, and the smallest text
// change (one replaced range) that does it; anything else is left to the user, with the line to edit.
import type * as t from '@babel/types';
import { findExperimentExport, findProperty } from './experimentExport';
import { parseFreezePattern } from '../protocol/freezePatterns';
import { parseSource, startOf, unwrapExpression } from './sourceTree';

/** Replace `[start, end)` of the original text with `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export type FreezeEditResult =
  /** `text` is the whole new text; `edit` the one range that changed; `line` holds the freeze list. */
  | { kind: 'edit'; text: string; edit: TextEdit; line: number }
  /** The layer is already listed (freeze) or not listed by name (unfreeze): nothing to write. */
  | { kind: 'unchanged'; line: number | null; listed: boolean }
  /** Not safe to edit automatically: `reason` says why, `action` what to write at `line`. */
  | { kind: 'manual'; line: number; reason: string; action: string };

const lineAt = (text: string, offset: number) => text.slice(0, offset).split('\n').length;
const start = (n: t.Node | t.Comment) => n.start ?? 0;
const end = (n: t.Node | t.Comment) => n.end ?? 0;

/** A JavaScript string literal of `value` in quote `q`. */
export function stringLiteral(value: string, q: "'" | '"'): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(q === "'" ? /'/g : /"/g, `\\${q}`)
    .replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `${q}${escaped}${q}`;
}

/** The quote of the first string literal under `node` (the file's habit), else a single quote. */
function quoteOf(node: t.Node): "'" | '"' {
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
function indentOfLine(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** Skips whitespace and comments from `from`; the offset of the next code character. */
function nextCode(text: string, from: number, comments: readonly t.Comment[]): number {
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

function edited(before: string, after: string, focus: number): FreezeEditResult {
  return { kind: 'edit', text: after, edit: minimalEdit(before, after), line: lineAt(after, focus) };
}

/** Why a `freeze` value cannot be edited as a literal list, or null when it can. */
function notLiteralList(value: t.Node | null, comments: readonly t.Comment[]): string | null {
  if (value?.type !== 'ArrayExpression') return 'its value is not a list written here';
  for (const element of value.elements) {
    if (element === null) return 'it has an empty slot';
    if (element.type === 'SpreadElement') return 'it has a spread (...)';
    if (element.type === 'TemplateLiteral') return 'it has a template literal';
    if (element.type !== 'StringLiteral') return 'it has an entry that is not a plain string';
  }
  if (comments.some((c) => start(c) > start(value) && end(c) < end(value))) return 'it has comments inside';
  return null;
}

function appendEntry(text: string, list: t.ArrayExpression, literal: string, comments: readonly t.Comment[]): FreezeEditResult {
  const elements = list.elements as t.StringLiteral[];
  const close = end(list) - 1;
  if (elements.length === 0) return edited(text, `${text.slice(0, start(list) + 1)}${literal}${text.slice(close)}`, start(list));
  const last = elements[elements.length - 1];
  const after = nextCode(text, end(last), comments);
  const trailingComma = text[after] === ',';
  const multiline = startOf(last).line !== startOf(list).line;
  const at = trailingComma ? after + 1 : end(last);
  const insert = multiline
    ? (trailingComma ? `\n${indentOfLine(text, start(last))}${literal},` : `,\n${indentOfLine(text, start(last))}${literal}`)
    : (trailingComma ? ` ${literal},` : `, ${literal}`);
  return edited(text, text.slice(0, at) + insert + text.slice(at), at + insert.length - 1);
}

function removeEntries(text: string, list: t.ArrayExpression, remove: (v: string) => boolean): FreezeEditResult {
  const elements = list.elements as t.StringLiteral[];
  const kept = elements.map((e) => !remove(e.value));
  const cuts: [number, number][] = [];
  const lastKept = kept.lastIndexOf(true);
  if (lastKept === -1) {
    cuts.push([start(list) + 1, end(list) - 1]);
  } else {
    elements.forEach((e, i) => { if (!kept[i] && i < lastKept) cuts.push([start(e), start(elements[i + 1])]); });
    if (lastKept < elements.length - 1) cuts.push([end(elements[lastKept]), end(elements[elements.length - 1])]);
  }
  let out = text;
  for (const [from, to] of cuts.reverse()) out = out.slice(0, from) + out.slice(to);
  return edited(text, out, start(list));
}

/** Adds `freeze: [literal]` as the experiment object's last property, in its layout. */
function addProperty(text: string, object: t.ObjectExpression, literal: string, comments: readonly t.Comment[]): FreezeEditResult {
  const last = object.properties[object.properties.length - 1];
  const property = `freeze: [${literal}]`;
  if (!last) return edited(text, `${text.slice(0, start(object) + 1)} ${property} ${text.slice(end(object) - 1)}`, start(object));
  const after = nextCode(text, end(last), comments);
  const trailingComma = text[after] === ',';
  if (startOf(last).line === startOf(object).line) {
    const at = trailingComma ? after + 1 : end(last);
    const insert = trailingComma ? ` ${property},` : `, ${property}`;
    return edited(text, text.slice(0, at) + insert + text.slice(at), at + 2);
  }
  // Multi-line: a new line after the last property, its comma, and a comment that ends its line.
  const codeEnd = trailingComma ? after + 1 : end(last);
  const lineEnd = text.indexOf('\n', codeEnd) === -1 ? text.length : text.indexOf('\n', codeEnd);
  const comment = comments.find((c) => start(c) >= codeEnd && start(c) < lineEnd && end(c) <= lineEnd);
  const at = comment ? end(comment) : codeEnd;
  const insert = `\n${indentOfLine(text, start(last))}${property}${trailingComma ? ',' : ''}`;
  const comma = trailingComma ? '' : ',';
  const out = `${text.slice(0, end(last))}${comma}${text.slice(end(last), at)}${insert}${text.slice(at)}`;
  return edited(text, out, at + comma.length + 1);
}

/**
 * `text` with `layer` added to (frozen) or removed from the experiment's `freeze` list, as the
 * smallest edit; or why it is left to the user, with the line to edit.
 */
export function editFreezeList(text: string, fileName: string, layer: string, frozen: boolean): FreezeEditResult {
  const { tree, errors } = parseSource(text, fileName);
  const action = frozen ? `add '${layer}' to the freeze list` : `remove '${layer}' from the freeze list`;
  if (errors.length) return { kind: 'manual', line: errors[0].line, reason: `the file has a syntax error (${errors[0].message})`, action };
  const experiment = findExperimentExport(tree);
  if (!experiment) return { kind: 'manual', line: 1, reason: 'its default export is not an experiment', action };
  const object = experiment.object;
  if (!object) {
    return { kind: 'manual', line: startOf(experiment.exportNode).line, reason: "the experiment's settings are not an object written in this file", action };
  }
  const comments = tree.comments ?? [];
  const quote = quoteOf(object);
  const literal = stringLiteral(layer, quote);
  const property = findProperty(object, 'freeze');
  if (!property) {
    if (!frozen) return { kind: 'unchanged', line: null, listed: false };
    const spread = object.properties.find((p) => p.type === 'SpreadElement');
    if (spread) return { kind: 'manual', line: startOf(spread).line, reason: 'the experiment object takes settings from a spread (...), which may hold a freeze list', action: `add freeze: [${literal}] where the list is` };
    return addProperty(text, object, literal, comments);
  }
  const line = startOf(property).line;
  const value = property.type === 'ObjectProperty' ? unwrapExpression(property.value) : null;
  const why = notLiteralList(value, comments);
  if (why) return { kind: 'manual', line, reason: `the freeze list ${why}`, action };
  const list = value as t.ArrayExpression;
  const entries = (list.elements as t.StringLiteral[]).map((e) => e.value);
  if (frozen) {
    if (entries.includes(layer)) return { kind: 'unchanged', line, listed: true };
    return appendEntry(text, list, list.elements.length ? stringLiteral(layer, quoteOf(list)) : literal, comments);
  }
  if (entries.includes(layer)) return removeEntries(text, list, (v) => v === layer);
  const patterns = entries.filter((e) => parseFreezePattern(e).kind === 'range' || /[*?]/.test(e) || /^[A-Z]/.test(e));
  if (patterns.length) {
    return { kind: 'manual', line, reason: `'${layer}' is not listed by name; it may be frozen by ${patterns.map((p) => `'${p}'`).join(', ')}`, action: `change the pattern so it leaves '${layer}' out` };
  }
  return { kind: 'unchanged', line, listed: false };
}
