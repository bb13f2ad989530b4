// Marks the entry of every function in a user's file with a call `__modelLensEnter(id)`, so the
// trainer can tell one invocation of a helper from the next: a stack trace names the functions a
// layer was built in, but two calls of `stage()` from the same line of a loop give identical traces.
// Counting entries per function tells them apart (the active invocation of a function that does not
// recurse is its latest entry). The insertions shift columns on their lines only; `ColumnShift`s let
// positions in the marked text be mapped back to the file's.
import type * as t from '@babel/types';
import { parseSource } from './sourceTree';

export const ENTER_FUNCTION = '__modelLensEnter';

/** A function of the user's file: where it is (1-based, the file's own positions) and its name. */
export interface FunctionSpan {
  id: number;
  /** The name it is declared or assigned with; null for an anonymous callback. */
  name: string | null;
  start: { line: number; column: number };
  end: { line: number; column: number };
}

/** Text inserted on `line` at `column` of the marked text (1-based), `length` characters long. */
export interface ColumnShift { line: number; column: number; length: number }

export interface MarkedSource {
  code: string;
  functions: FunctionSpan[];
  shifts: ColumnShift[];
}

type FunctionNode = t.FunctionDeclaration | t.FunctionExpression | t.ArrowFunctionExpression | t.ObjectMethod | t.ClassMethod | t.ClassPrivateMethod;

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression', 'ObjectMethod', 'ClassMethod', 'ClassPrivateMethod']);

interface Insertion { offset: number; text: string }

/**
 * The file with an entry mark at the start of every function body, ids from `firstId` on; null when
 * the parser cannot read the file (esbuild then reports the syntax error on the file as it is).
 */
export function markFunctionEntries(text: string, fileName: string, firstId: number): MarkedSource | null {
  const { tree, errors } = parseSource(text, fileName);
  if (errors.length) return null;
  const functions: FunctionSpan[] = [];
  const insertions: Insertion[] = [];
  walk(tree.program, null, (fn, parent) => {
    const id = firstId + functions.length;
    const call = `${ENTER_FUNCTION}(${id})`;
    const body = fn.body;
    if (body.type === 'BlockStatement') {
      const directives = body.directives ?? [];
      const after = directives.length ? directives[directives.length - 1].end! : body.start! + 1;
      insertions.push({ offset: after, text: `${call};` });
    } else {
      // An expression body: `(x) => e` becomes `(x) => (enter(id), e)`; its own parentheses stay inside.
      const extra = (body as { extra?: { parenthesized?: boolean; parenStart?: number } }).extra;
      const start = extra?.parenthesized && extra.parenStart !== undefined ? extra.parenStart : body.start!;
      const end = extra?.parenthesized ? closingParen(text, body.end!) : body.end!;
      insertions.push({ offset: start, text: `(${call}, ` }, { offset: end, text: ')' });
    }
    const loc = fn.loc!;
    functions.push({
      id, name: functionName(fn, parent),
      start: { line: loc.start.line, column: loc.start.column + 1 }, end: { line: loc.end.line, column: loc.end.column + 1 },
    });
  });
  return { ...apply(text, insertions), functions };
}

/** The offset just past the `)` that closes a parenthesised expression ending at `end`. */
function closingParen(text: string, end: number): number {
  const at = text.indexOf(')', end);
  return at < 0 ? end : at + 1;
}

function apply(text: string, insertions: Insertion[]): { code: string; shifts: ColumnShift[] } {
  insertions.sort((a, b) => a.offset - b.offset);
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  let line = 0;
  let added = 0; // characters inserted so far on the current line
  let out = '';
  let from = 0;
  const shifts: ColumnShift[] = [];
  for (const ins of insertions) {
    while (line + 1 < lineStarts.length && lineStarts[line + 1] <= ins.offset) { line++; added = 0; }
    out += text.slice(from, ins.offset) + ins.text;
    from = ins.offset;
    shifts.push({ line: line + 1, column: ins.offset - lineStarts[line] + added + 1, length: ins.text.length });
    added += ins.text.length;
  }
  return { code: out + text.slice(from), shifts };
}

/** The column in the file of `column` on `line` of the marked text (1-based both). */
export function originalColumn(shifts: readonly ColumnShift[], line: number, column: number): number {
  let result = column;
  for (const s of shifts) if (s.line === line && s.column + s.length <= column) result -= s.length;
  return result;
}

function walk(node: t.Node, parent: t.Node | null, visit: (fn: FunctionNode, parent: t.Node | null) => void): void {
  if (FUNCTION_TYPES.has(node.type)) {
    const fn = node as FunctionNode;
    if (fn.body) visit(fn, parent);
  }
  for (const key of Object.keys(node) as (keyof t.Node)[]) {
    if (key === 'loc' || key === 'leadingComments' || key === 'trailingComments' || key === 'innerComments' || key === 'extra') continue;
    const value = node[key] as unknown;
    if (Array.isArray(value)) {
      for (const child of value) if (isNode(child)) walk(child, node, visit);
    } else if (isNode(value)) walk(value, node, visit);
  }
}

const isNode = (v: unknown): v is t.Node => typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';

/** The name a function is known by: its own, or the variable, property or method it is assigned to. */
function functionName(fn: FunctionNode, parent: t.Node | null): string | null {
  if ((fn.type === 'FunctionDeclaration' || fn.type === 'FunctionExpression') && fn.id) return fn.id.name;
  if (fn.type === 'ObjectMethod' || fn.type === 'ClassMethod') return keyName(fn.key, fn.computed);
  if (fn.type === 'ClassPrivateMethod') return fn.key.id.name;
  if (!parent) return null;
  switch (parent.type) {
    case 'VariableDeclarator': return parent.id.type === 'Identifier' ? parent.id.name : null;
    case 'ObjectProperty': return keyName(parent.key, parent.computed);
    case 'ClassProperty': return keyName(parent.key, parent.computed);
    case 'AssignmentExpression': {
      const left = parent.left;
      if (left.type === 'Identifier') return left.name;
      if (left.type === 'MemberExpression' && !left.computed && left.property.type === 'Identifier') return left.property.name;
      return null;
    }
    default: return null;
  }
}

function keyName(key: t.Node, computed: boolean): string | null {
  if (key.type === 'Identifier' && !computed) return key.name;
  if (key.type === 'StringLiteral') return key.value;
  return null;
}
