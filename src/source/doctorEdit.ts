// The model doctor's Quick Fixes as edits of the user's source, found through the syntax tree: a
// layer's `activation` in the options object of the call that made it (at its recorded call site),
// and a setting of the experiment object (`training.loss`, `data.normalize`, the learning rate).
// Each is the smallest text change; anything not written as a literal here is left to the user.
import type * as t from '@babel/types';
import type { DiagnosisFix } from '../protocol/doctorMessages';
import { findExperimentExport, findProperty, resolveValue } from './experimentExport';
import { addProperty, end, lineAt, minimalEdit, nextCode, quoteOf, start, stringLiteral, type TextEdit } from './objectEdit';
import { parseSource, startOf, unwrapExpression, type SourceTree } from './sourceTree';

export type SourceEditResult =
  | { kind: 'edit'; text: string; edit: TextEdit; line: number }
  | { kind: 'unchanged'; line: number }
  | { kind: 'manual'; line: number; reason: string; action: string };

function edited(before: string, after: string, focus: number): SourceEditResult {
  return { kind: 'edit', text: after, edit: minimalEdit(before, after), line: lineAt(after, focus) };
}

/** The offset of a 1-based line and column. */
function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset + column - 1;
}

/** The smallest call expression whose text holds `offset`. */
function callAt(tree: SourceTree, offset: number): t.CallExpression | null {
  let best: t.CallExpression | null = null;
  const stack: unknown[] = [tree.program];
  while (stack.length) {
    const n = stack.pop() as Record<string, unknown> | null;
    if (!n || typeof n !== 'object') continue;
    const node = n as unknown as t.Node;
    if (typeof node.start === 'number' && typeof node.end === 'number' && (offset < node.start || offset >= node.end)) continue;
    if (node.type === 'CallExpression' && (!best || end(node) - start(node) < end(best) - start(best))) best = node;
    for (const [k, v] of Object.entries(n)) {
      if (k === 'loc' || k === 'extra' || k.endsWith('Comments')) continue;
      if (Array.isArray(v)) stack.push(...v);
      else if (v && typeof v === 'object' && 'type' in v) stack.push(v);
    }
  }
  return best;
}

/** Removes a property and the comma that separates it from its neighbours. */
function removeProperty(text: string, object: t.ObjectExpression, property: t.Node, comments: readonly t.Comment[]): string {
  const i = object.properties.indexOf(property as t.ObjectExpression['properties'][number]);
  const next = object.properties[i + 1];
  if (next) return text.slice(0, start(property)) + text.slice(start(next));
  const previous = object.properties[i - 1];
  const after = nextCode(text, end(property), comments);
  const cutEnd = text[after] === ',' ? after + 1 : end(property);
  return text.slice(0, previous ? end(previous) : start(property)) + text.slice(cutEnd);
}

/**
 * The layer made by the call at `at` (its recorded call site) with `activation: '<activation>'`
 * (added or replaced), or with its activation removed (`null`: linear).
 */
export function editLayerActivation(text: string, fileName: string, at: { line: number; column: number }, activation: string | null): SourceEditResult {
  const action = activation ? `write activation: '${activation}' in the layer's options` : "remove the layer's activation";
  const { tree, errors } = parseSource(text, fileName);
  if (errors.length) return { kind: 'manual', line: errors[0].line, reason: `the file has a syntax error (${errors[0].message})`, action };
  const call = callAt(tree, offsetOf(text, at.line, at.column));
  if (!call) return { kind: 'manual', line: at.line, reason: 'no layer call was found at the layer\'s line', action };
  const options = resolveValue(tree, call.arguments[0] as t.Node | undefined);
  if (options?.type !== 'ObjectExpression') return { kind: 'manual', line: at.line, reason: "the layer's options are not an object written here", action };
  const comments = tree.comments ?? [];
  const property = findProperty(options, 'activation');
  if (!property) {
    if (activation === null) return { kind: 'unchanged', line: startOf(options).line };
    const spread = options.properties.find((p) => p.type === 'SpreadElement');
    if (spread) return { kind: 'manual', line: startOf(spread).line, reason: 'the options take settings from a spread (...), which may hold an activation', action };
    const { after, focus } = addProperty(text, options, `activation: ${stringLiteral(activation, quoteOf(options))}`, comments);
    return edited(text, after, focus);
  }
  if (property.type !== 'ObjectProperty') return { kind: 'manual', line: startOf(property).line, reason: 'its activation is a method', action };
  if (activation === null) return edited(text, removeProperty(text, options, property, comments), start(property));
  const value = unwrapExpression(property.value);
  if (value?.type === 'StringLiteral' && value.value === activation) return { kind: 'unchanged', line: startOf(property).line };
  const literal = stringLiteral(activation, quoteOf(options));
  return edited(text, text.slice(0, start(property.value)) + literal + text.slice(end(property.value)), start(property));
}

/** `{ a: { b: value } }` for the keys not written yet. */
const nested = (keys: readonly string[], value: string): string =>
  keys.length === 1 ? `${keys[0]}: ${value}` : `${keys[0]}: { ${nested(keys.slice(1), value)} }`;

/**
 * The experiment with the setting at `keyPath` set to `value` (JavaScript source text): replaced
 * where written, else added in the deepest object literal of the path that is.
 */
export function editSetting(text: string, fileName: string, keyPath: readonly string[], value: string): SourceEditResult {
  const action = `set ${keyPath.join('.')} to ${value}`;
  const { tree, errors } = parseSource(text, fileName);
  if (errors.length) return { kind: 'manual', line: errors[0].line, reason: `the file has a syntax error (${errors[0].message})`, action };
  const experiment = findExperimentExport(tree);
  if (!experiment?.object) return { kind: 'manual', line: experiment ? startOf(experiment.exportNode).line : 1, reason: "the experiment's settings are not an object written in this file", action };
  const comments = tree.comments ?? [];
  let object: t.ObjectExpression = experiment.object;
  for (let i = 0; i < keyPath.length; i++) {
    const property = findProperty(object, keyPath[i]);
    if (!property) {
      if (object.properties.some((p) => p.type === 'SpreadElement')) {
        return { kind: 'manual', line: startOf(object).line, reason: `${keyPath.slice(0, i).join('.') || 'the experiment'} takes settings from a spread (...)`, action };
      }
      const { after, focus } = addProperty(text, object, nested(keyPath.slice(i), value), comments);
      return edited(text, after, focus);
    }
    if (property.type !== 'ObjectProperty') return { kind: 'manual', line: startOf(property).line, reason: `${keyPath[i]} is a method`, action };
    if (i === keyPath.length - 1) {
      if (text.slice(start(property.value), end(property.value)) === value) return { kind: 'unchanged', line: startOf(property).line };
      return edited(text, text.slice(0, start(property.value)) + value + text.slice(end(property.value)), start(property));
    }
    const inner = resolveValue(tree, property.value);
    if (inner?.type !== 'ObjectExpression') {
      return { kind: 'manual', line: startOf(property).line, reason: `${keyPath.slice(0, i + 1).join('.')} is not an object written in this file`, action };
    }
    object = inner;
  }
  return { kind: 'unchanged', line: startOf(object).line };
}

/** The edit a doctor's fix makes in the experiment's text; `layerSite` is where the diagnosed layer was made. */
export function editForFix(text: string, fileName: string, fix: DiagnosisFix, layerSite: { line: number; column: number } | null): SourceEditResult {
  switch (fix.kind) {
    case 'setActivation':
      return layerSite
        ? editLayerActivation(text, fileName, layerSite, fix.activation)
        : { kind: 'manual', line: 1, reason: 'the layer was not made in this file', action: fix.title };
    case 'setLoss':
      return editSetting(text, fileName, ['training', 'loss'], stringLiteral(fix.loss, "'"));
    case 'setNormalize':
      return editSetting(text, fileName, ['data', 'normalize'], `{ mean: ${fix.mean}, std: ${fix.std} }`);
    case 'setLearningRate':
      return editSetting(text, fileName, ['training', 'optimizer', 'learningRate'], String(fix.learningRate));
  }
}
