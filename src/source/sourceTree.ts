// The user's source files as syntax trees (Babel's parser: TypeScript and JavaScript, CommonJS and
// ES modules). Recognising an experiment, finding the line a setting is written on and editing a
// freeze list all read the tree, never regular expressions over the text, and never run the file.
import { parse } from '@babel/parser';
import type * as t from '@babel/types';

export type SourceTree = t.File;

export interface ParsedSource {
  tree: SourceTree;
  /** Syntax errors the parser recovered from (the tree is still usable around them). */
  errors: { message: string; line: number; column: number }[];
}

const TYPESCRIPT = /\.(ts|tsx|mts|cts)$/i;

/** Parses a .ts/.js file's text; never throws (a file the parser cannot recover gives an empty tree). */
export function parseSource(text: string, fileName: string): ParsedSource {
  const plugins: NonNullable<Parameters<typeof parse>[1]>['plugins'] = TYPESCRIPT.test(fileName) ? ['typescript'] : [];
  if (/\.(tsx|jsx)$/i.test(fileName)) plugins.push('jsx');
  try {
    const tree = parse(text, {
      sourceType: 'unambiguous', plugins, errorRecovery: true, allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: true, allowImportExportEverywhere: true, sourceFilename: fileName,
    });
    const errors = (tree.errors ?? []).map((e) => errorAt(e));
    return { tree, errors };
  } catch (e) {
    return { tree: emptyTree(), errors: [errorAt(e)] };
  }
}

function errorAt(e: unknown): ParsedSource['errors'][number] {
  const err = e as { message?: string; loc?: { line: number; column: number }; reasonCode?: string };
  const message = String(err.message ?? e).replace(/ \(\d+:\d+\)$/, '');
  return { message, line: err.loc?.line ?? 1, column: (err.loc?.column ?? 0) + 1 };
}

function emptyTree(): SourceTree {
  const loc = { start: { line: 1, column: 0, index: 0 }, end: { line: 1, column: 0, index: 0 }, filename: '', identifierName: undefined };
  const program = { type: 'Program', body: [], directives: [], sourceType: 'module', start: 0, end: 0, loc } as unknown as t.Program;
  return { type: 'File', program, comments: [], start: 0, end: 0, loc } as unknown as SourceTree;
}

/** 1-based line and column of a node's start, as editors show them. */
export function startOf(node: t.Node): { line: number; column: number } {
  return { line: node.loc?.start.line ?? 1, column: (node.loc?.start.column ?? 0) + 1 };
}

/** Strips TypeScript's wrappers around an expression: `x as T`, `x satisfies T`, `<T>x`, `x!`, `(x)`. */
export function unwrapExpression(node: t.Node | null | undefined): t.Node | null {
  let n = node ?? null;
  while (n && (n.type === 'TSAsExpression' || n.type === 'TSSatisfiesExpression' || n.type === 'TSTypeAssertion' ||
    n.type === 'TSNonNullExpression' || n.type === 'ParenthesizedExpression')) {
    n = n.expression;
  }
  return n;
}

/** The name a property is written with (`a`, `'a'`, `"a"`), or null for a computed key. */
export function propertyName(p: t.ObjectProperty | t.ObjectMethod): string | null {
  if (p.computed) return p.key.type === 'StringLiteral' ? p.key.value : null;
  if (p.key.type === 'Identifier') return p.key.name;
  if (p.key.type === 'StringLiteral') return p.key.value;
  if (p.key.type === 'NumericLiteral') return String(p.key.value);
  return null;
}
