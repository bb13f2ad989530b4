// Freeze / Unfreeze from the graph, written back into the experiment file as its `freeze` list so the
// run stays reproducible from the file alone. The edit is found through the syntax tree: only the
// experiment object's own `freeze` key, only a literal list of string literals, and the smallest text
// change (one replaced range) that does it; anything else is left to the user, with the line to edit.
import type * as t from '@babel/types';
import { findExperimentExport, findProperty } from './experimentExport';
import { addProperty, end, lineAt, minimalEdit, nextCode, indentOfLine, quoteOf, start, stringLiteral, type TextEdit } from './objectEdit';
import { parseFreezePattern } from '../protocol/freezePatterns';
import { parseSource, startOf, unwrapExpression } from './sourceTree';

export type FreezeEditResult =
  /** `text` is the whole new text; `edit` the one range that changed; `line` holds the freeze list. */
  | { kind: 'edit'; text: string; edit: TextEdit; line: number }
  /** The layer is already listed (freeze) or not listed by name (unfreeze): nothing to write. */
  | { kind: 'unchanged'; line: number | null; listed: boolean }
  /** Not safe to edit automatically: `reason` says why, `action` what to write at `line`. */
  | { kind: 'manual'; line: number; reason: string; action: string };

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
function addFreezeProperty(text: string, object: t.ObjectExpression, literal: string, comments: readonly t.Comment[]): FreezeEditResult {
  const { after, focus } = addProperty(text, object, `freeze: [${literal}]`, comments);
  return edited(text, after, focus);
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
    return addFreezeProperty(text, object, literal, comments);
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
