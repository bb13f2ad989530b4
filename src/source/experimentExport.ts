// What makes a file an experiment, read from its syntax tree: its default export (`export default`,
// `export { x as default }`, `module.exports =` or `exports.default =`) is `defineExperiment(...)`,
// an object literal with a `model` property, or a variable bound to either. Only such files are run
// implicitly (hover, CodeLens, inspect on save); any other script runs only on an explicit command.
import type * as t from '@babel/types';
import { parseSource, propertyName, startOf, unwrapExpression, type SourceTree } from './sourceTree';

export interface ExperimentExport {
  /** The expression exported as default, as written (a call, an object or a variable). */
  exportNode: t.Node;
  /** The experiment's object literal, when it is written as one (else settings cannot be located). */
  object: t.ObjectExpression | null;
  via: 'defineExperiment' | 'object';
}

/** Top-level `const/let/var name = init` (also under `export`), last one wins. */
function topLevelBinding(tree: SourceTree, name: string): t.Node | null {
  let found: t.Node | null = null;
  for (const statement of tree.program.body) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement;
    if (declaration?.type !== 'VariableDeclaration') continue;
    for (const d of declaration.declarations) {
      if (d.id.type === 'Identifier' && d.id.name === name && d.init) found = d.init;
    }
  }
  return found;
}

/** An expression with variables followed to what they are bound to (a few hops, no cycles). */
export function resolveValue(tree: SourceTree, node: t.Node | null | undefined): t.Node | null {
  let n = unwrapExpression(node);
  for (let hops = 0; n?.type === 'Identifier' && hops < 8; hops++) n = unwrapExpression(topLevelBinding(tree, n.name));
  return n;
}

function isDefineExperimentCall(n: t.Node): n is t.CallExpression {
  if (n.type !== 'CallExpression') return false;
  const callee = unwrapExpression(n.callee);
  if (callee?.type === 'Identifier') return callee.name === 'defineExperiment';
  return callee?.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier' &&
    callee.property.name === 'defineExperiment';
}

/** The object's property `name` (the last one written, as JavaScript keeps), if written literally. */
export function findProperty(object: t.ObjectExpression, name: string): t.ObjectProperty | t.ObjectMethod | null {
  let found: t.ObjectProperty | t.ObjectMethod | null = null;
  for (const p of object.properties) {
    if (p.type !== 'SpreadElement' && propertyName(p) === name) found = p;
  }
  return found;
}

function asExperiment(tree: SourceTree, exported: t.Node): ExperimentExport | null {
  const value = resolveValue(tree, exported);
  if (!value) return null;
  if (isDefineExperimentCall(value)) {
    const arg = resolveValue(tree, value.arguments[0] as t.Node | undefined);
    return { exportNode: exported, object: arg?.type === 'ObjectExpression' ? arg : null, via: 'defineExperiment' };
  }
  if (value.type === 'ObjectExpression' && findProperty(value, 'model')) return { exportNode: exported, object: value, via: 'object' };
  return null;
}

/** `module.exports`, `exports.default` or `module.exports.default` as an assignment target. */
function isCommonJsDefault(target: t.Node): boolean {
  const parts: string[] = [];
  let n: t.Node = target;
  while (n.type === 'MemberExpression' && !n.computed && n.property.type === 'Identifier') {
    parts.unshift(n.property.name);
    n = n.object;
  }
  if (n.type !== 'Identifier') return false;
  const chain = [n.name, ...parts].join('.');
  return chain === 'module.exports' || chain === 'exports.default' || chain === 'module.exports.default';
}

/** The expression a file exports as its default, or null. */
export function defaultExportExpression(tree: SourceTree): t.Node | null {
  let found: t.Node | null = null;
  for (const statement of tree.program.body) {
    if (statement.type === 'ExportDefaultDeclaration') {
      const d = statement.declaration;
      if (d.type !== 'FunctionDeclaration' && d.type !== 'ClassDeclaration' && d.type !== 'TSDeclareFunction') found = d;
    } else if (statement.type === 'ExportNamedDeclaration' && !statement.source) {
      for (const s of statement.specifiers) {
        const exported = s.exported.type === 'Identifier' ? s.exported.name : s.exported.value;
        if (s.type === 'ExportSpecifier' && exported === 'default') found = s.local;
      }
    } else if (statement.type === 'ExpressionStatement') {
      const e = unwrapExpression(statement.expression);
      if (e?.type === 'AssignmentExpression' && e.operator === '=' && isCommonJsDefault(e.left)) found = e.right;
    }
  }
  return found;
}

/** Whether an assignment target is `module.exports…` or `exports.…` (CommonJS exporting anything). */
function isCommonJsExport(target: t.Node): boolean {
  let n: t.Node = target;
  const parts: string[] = [];
  while (n.type === 'MemberExpression' && !n.computed && n.property.type === 'Identifier') {
    parts.unshift(n.property.name);
    n = n.object;
  }
  return n.type === 'Identifier' && ((n.name === 'module' && parts[0] === 'exports') || (n.name === 'exports' && parts.length > 0));
}

/**
 * Whether the file exports anything (`export {}` aside, which only makes it a module): an experiment
 * missing its default export still does; a script, run for what it does, need not.
 */
export function exportsAnything(tree: SourceTree): boolean {
  return tree.program.body.some((statement) => {
    switch (statement.type) {
      case 'ExportDefaultDeclaration':
      case 'ExportAllDeclaration':
      case 'TSExportAssignment':
        return true;
      case 'ExportNamedDeclaration':
        return statement.declaration != null || statement.specifiers.length > 0;
      case 'ExpressionStatement': {
        const e = unwrapExpression(statement.expression);
        return e?.type === 'AssignmentExpression' && isCommonJsExport(e.left);
      }
      default:
        return false;
    }
  });
}

/** The file's experiment, if its default export is one (see the top of this file). */
export function findExperimentExport(tree: SourceTree): ExperimentExport | null {
  const exported = defaultExportExpression(tree);
  return exported ? asExperiment(tree, exported) : null;
}

/** Whether a file's text is an experiment (safe to run implicitly: hover, CodeLens, inspect on save). */
export function isExperimentSource(text: string, fileName: string): boolean {
  return findExperimentExport(parseSource(text, fileName).tree) !== null;
}

export interface Recognition {
  experiment: boolean;
  /** 1-based line of the exported experiment (for the CodeLens), when it is one. */
  exportLine: number | null;
  /** False when the text has syntax errors and no experiment was found around them: not a verdict. */
  certain: boolean;
  /** Whether the file exports anything the parser found (exportsAnything): a script need not. */
  exports: boolean;
}

/** What the parser makes of a file's text as it is now (see Recognition.certain). */
export function recognizeExperiment(text: string, fileName: string): Recognition {
  const { tree, errors } = parseSource(text, fileName);
  const experiment = findExperimentExport(tree);
  return {
    experiment: experiment !== null, exportLine: experiment ? startOf(experiment.exportNode).line : null,
    certain: experiment !== null || errors.length === 0, exports: exportsAnything(tree),
  };
}

export interface SettingLocation {
  line: number;
  column: number;
  /** False when the path could be followed only part of the way (the nearest written key is given). */
  exact: boolean;
}

/**
 * Where a setting is written: `['training', 'optimizer', 'learningRate']` → that key's line and
 * column. Variables holding objects (`training: trainingConfig`) are followed. When the path ends
 * early (a key not written, a spread, a computed value) the deepest key found stands in.
 */
export function locateSetting(tree: SourceTree, experiment: ExperimentExport, keyPath: readonly (string | number)[]): SettingLocation {
  let where = startOf(experiment.exportNode);
  let node: t.Node | null = experiment.object;
  if (!node) return { ...where, exact: keyPath.length === 0 };
  if (experiment.object) where = startOf(experiment.object);
  for (let i = 0; i < keyPath.length; i++) {
    const key = keyPath[i];
    if (node?.type === 'ArrayExpression' && typeof key === 'number') {
      const element: t.Node | null = node.elements[key] ?? null;
      if (!element || element.type === 'SpreadElement') return { ...where, exact: false };
      where = startOf(element);
      node = resolveValue(tree, element);
      continue;
    }
    if (node?.type !== 'ObjectExpression') return { ...where, exact: false };
    const property = findProperty(node, String(key));
    if (!property) return { ...where, exact: false };
    where = startOf(property);
    node = property.type === 'ObjectProperty' ? resolveValue(tree, property.value) : null;
  }
  return { ...where, exact: true };
}

/**
 * Where a setting is written in a file's text: the key when the default export is an experiment
 * object, else the default export itself, else null.
 */
export function locateSettingInText(text: string, fileName: string, keyPath: readonly (string | number)[]): SettingLocation | null {
  const { tree } = parseSource(text, fileName);
  const experiment = findExperimentExport(tree);
  if (experiment) return locateSetting(tree, experiment, keyPath);
  const exported = defaultExportExpression(tree);
  return exported ? { ...startOf(exported), exact: false } : null;
}
