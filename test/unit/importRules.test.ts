// The one-way import rules of DESIGN.md, read from the sources with TypeScript's parser: vscode only
// in the extension host's code, tfjs never in the host, the protocol or the panel, the panel
// importing only protocol code from src/, the CLI never the host's code, the workspace packages
// none of Model Lens, and no import cycle in src/.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { ROOT } from '../helpers/fixtures';

interface Import {
  from: string;
  /** The specifier as written. */
  specifier: string;
  /** The repository file it resolves to (null: an npm package or a node builtin). */
  target: string | null;
  /** `import type` / `export type`: erased from the bundle. */
  typeOnly: boolean;
}

const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'test' ? [] : sourceFiles(p);
    return /\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name) ? [p] : [];
  });
}

/** Workspace package name → its entry file. */
function workspaceEntries(): Map<string, string> {
  const dir = path.join(ROOT, 'packages');
  const entries = new Map<string, string>();
  if (!fs.existsSync(dir)) return entries;
  for (const name of fs.readdirSync(dir)) {
    const manifest = path.join(dir, name, 'package.json');
    if (!fs.existsSync(manifest)) continue;
    const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name: string; main: string };
    entries.set(pkg.name, path.join(dir, name, pkg.main));
  }
  return entries;
}

function resolve(from: string, specifier: string, workspaces: Map<string, string>): string | null {
  if (workspaces.has(specifier)) return workspaces.get(specifier)!;
  if (!specifier.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), specifier);
  const found = [`${base}.ts`, path.join(base, 'index.ts'), base].find((p) => fs.existsSync(p) && fs.statSync(p).isFile());
  if (!found) throw new Error(`${rel(from)}: cannot resolve ${specifier}`);
  return found;
}

function importsOf(file: string, workspaces: Map<string, string>): Import[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (specifier: string, typeOnly: boolean) => found.push({ from: file, specifier, target: resolve(file, specifier, workspaces), typeOnly });
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = ts.isImportDeclaration(node) ? !!node.importClause?.isTypeOnly : node.isTypeOnly;
      add(node.moduleSpecifier.text, typeOnly);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteralLike(node.arguments[0])
      && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      add(node.arguments[0].text, false);
    } else if (ts.isImportTypeNode(node)) {
      return; // import('x').T in a type: erased
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const workspaces = workspaceEntries();
const files = [
  ...sourceFiles(path.join(ROOT, 'src')), ...sourceFiles(path.join(ROOT, 'webview')), ...sourceFiles(path.join(ROOT, 'packages')),
];
const imports = files.flatMap((f) => importsOf(f, workspaces));
const under = (...prefixes: string[]) => (i: Import) => prefixes.some((p) => rel(i.from) === p || rel(i.from).startsWith(`${p}/`));
const isTfjs = (i: Import) => /^@tensorflow\//.test(i.specifier);
const show = (list: Import[]) => list.map((i) => `${rel(i.from)} → ${i.specifier}`).join('\n');

/** Every file a runtime import chain from `entry` reaches, with the chain that reached it first. */
function reachable(entry: string): Map<string, string[]> {
  const chains = new Map<string, string[]>([[entry, [rel(entry)]]]);
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift()!;
    for (const i of imports.filter((x) => x.from === file && !x.typeOnly && x.target)) {
      if (chains.has(i.target!)) continue;
      chains.set(i.target!, [...chains.get(file)!, rel(i.target!)]);
      queue.push(i.target!);
    }
  }
  return chains;
}

describe('import rules (DESIGN.md)', () => {
  it('finds the imports it checks', () => {
    assert.ok(imports.some((i) => i.specifier === 'vscode'), 'the host imports vscode');
    assert.ok(imports.some(isTfjs), 'the trainer imports tfjs');
    assert.ok(imports.some((i) => i.typeOnly), 'type-only imports are told apart');
  });

  it('imports vscode only in src/host and src/extension.ts', () => {
    const outside = imports.filter((i) => i.specifier === 'vscode' && !under('src/host', 'src/extension.ts')(i));
    assert.equal(show(outside), '');
  });

  it('never imports tfjs in the extension host, the protocol or the panel', () => {
    const wrong = imports.filter((i) => isTfjs(i) && !i.typeOnly && under('src/host', 'src/extension.ts', 'src/protocol', 'webview')(i));
    assert.equal(show(wrong), '');
    const loaded = [...reachable(path.join(ROOT, 'src', 'extension.ts')).entries()]
      .flatMap(([file, chain]) => imports.filter((i) => i.from === file && isTfjs(i) && !i.typeOnly).map((i) => [...chain, i.specifier].join(' → ')));
    assert.deepEqual(loaded, [], 'no runtime import chain from src/extension.ts reaches tfjs');
  });

  it('lets the panel import only protocol code from src/', () => {
    const wrong = imports.filter((i) => under('webview')(i) && i.target && !rel(i.target).startsWith('webview/') && !rel(i.target).startsWith('src/protocol/'));
    assert.equal(show(wrong), '');
  });

  it('keeps the protocol free of other code', () => {
    const wrong = imports.filter((i) => under('src/protocol')(i) && !(i.target && rel(i.target).startsWith('src/protocol/')));
    assert.equal(show(wrong), '');
  });

  it('never imports the host from the CLI, the trainer, the model or the data code', () => {
    const wrong = imports.filter((i) => under('src/cli', 'src/trainer', 'src/model', 'src/data')(i) && i.target && rel(i.target).startsWith('src/host/'));
    assert.equal(show(wrong), '');
  });

  it('keeps the workspace packages free of Model Lens code', () => {
    const wrong = imports.filter((i) => {
      if (!under('packages')(i) || !i.target) return false;
      const own = rel(i.from).split('/').slice(0, 2).join('/');
      return !rel(i.target).startsWith(`${own}/`);
    });
    assert.equal(show(wrong), '');
  });

  it('has no import cycle in src/', () => {
    const graph = new Map<string, string[]>();
    for (const i of imports) {
      if (!i.typeOnly && i.target && rel(i.from).startsWith('src/') && rel(i.target).startsWith('src/')) {
        graph.set(i.from, [...(graph.get(i.from) ?? []), i.target]);
      }
    }
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const walk = (file: string, stack: string[]): void => {
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map(rel).join(' → '));
        else if (!state.has(next)) walk(next, [...stack, next]);
      }
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) walk(file, [file]);
    assert.deepEqual(cycles, []);
  });
});
