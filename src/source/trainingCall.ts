// Where a plain tfjs script trains, read from its syntax tree (never run): the first call of
// `.fit(...)`, `.fitDataset(...)` or `.minimize(...)` in source order, where the editor offers
// "Run Script with Model Lens".
import type * as t from '@babel/types';
import { parseSource, startOf } from './sourceTree';

const TRAINING_METHODS = new Set(['fit', 'fitDataset', 'minimize']);

/** 1-based line and column of the first training call, or null when the script has none. */
export function firstTrainingCall(text: string, fileName: string): { line: number; column: number } | null {
  const { tree } = parseSource(text, fileName);
  let first: t.Node | null = null;
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) { for (const n of node) visit(n); return; }
    const n = node as t.Node;
    if (typeof n.type !== 'string') return;
    if (n.type === 'CallExpression' && isTrainingCallee(n.callee) && (!first || (n.start ?? 0) < (first.start ?? 0))) first = n;
    for (const key of Object.keys(n)) {
      if (key === 'loc' || key === 'leadingComments' || key === 'trailingComments' || key === 'innerComments') continue;
      visit((n as unknown as Record<string, unknown>)[key]);
    }
  };
  visit(tree.program);
  return first ? startOf(first) : null;
}

function isTrainingCallee(callee: t.Node): boolean {
  if (callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression') return false;
  return !callee.computed && callee.property.type === 'Identifier' && TRAINING_METHODS.has(callee.property.name);
}
