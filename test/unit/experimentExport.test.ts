import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exportsAnything, findExperimentExport, isExperimentSource, locateSetting } from '../../src/source/experimentExport';
import { parseSource } from '../../src/source/sourceTree';

const lineOfText = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('recognising an experiment file from its syntax tree', () => {
  const experiments: Record<string, string> = {
    'export default defineExperiment({...})': "import { defineExperiment } from 'model-lens';\nexport default defineExperiment({ model: () => m });",
    'export default of an object literal with model': 'export default { model: () => m, training: {} };',
    'export default of a variable bound to defineExperiment': 'const e = defineExperiment({ model });\nexport default e;',
    'export default of a variable bound to an object with model': 'const e = { model() { return m; } };\nexport default e;',
    'a `satisfies`/`as` wrapper around the object (TypeScript)': 'export default ({ model: () => m } satisfies Experiment) as Experiment;',
    'export { e as default }': 'const e = { model: () => m };\nexport { e as default };',
    'module.exports = defineExperiment(...) (CommonJS)': "const { defineExperiment } = require('model-lens');\nmodule.exports = defineExperiment({ model });",
    'exports.default = { model } (CommonJS)': 'exports.default = { model: () => m };',
    'a namespaced call ml.defineExperiment(...)': "import * as ml from 'model-lens';\nexport default ml.defineExperiment({ model: () => m });",
  };
  for (const [name, text] of Object.entries(experiments)) {
    it(`recognises ${name}`, () => assert.equal(isExperimentSource(text, 'e.ts'), true));
  }

  const scripts: Record<string, string> = {
    'a training script with no default export': "import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });\nawait m.fit(x, y);",
    'a default export object without model': 'export default { name: "x", epochs: 3 };',
    'a default-exported function': 'export default function train() { return 1; }',
    'a default export of some other call': 'export default makeModel();',
    'a mention of defineExperiment in a comment or string only': "// defineExperiment({ model })\nconst s = 'defineExperiment';\nexport default s;",
    'module.exports of a function': 'module.exports = function () {};',
  };
  for (const [name, text] of Object.entries(scripts)) {
    it(`does not take ${name} for an experiment`, () => assert.equal(isExperimentSource(text, 'e.ts'), false));
  }

  it('parses JavaScript files without the TypeScript plugin and TypeScript files with it', () => {
    assert.equal(isExperimentSource('export default { model: () => /a</.test("b") };', 'e.js'), true);
    assert.equal(isExperimentSource('const f = <T,>(x: T): T => x;\nexport default { model: () => f(1) as unknown };', 'e.ts'), true);
  });

  it('still recognises an experiment around an error the parser recovers from, and reports the error', () => {
    const text = 'export default defineExperiment({ model: () => m });\nconst a = 1;\nconst a = 2;\n';
    const { errors, tree } = parseSource(text, 'e.ts');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].line, 3);
    assert.ok(findExperimentExport(tree));
  });

  it('gives the position of an error it cannot recover from, and no experiment', () => {
    const { errors, tree } = parseSource('export default defineExperiment({ model: () => m });\nconst broken = ;\n', 'e.ts');
    assert.deepEqual([errors.length, errors[0].line, errors[0].column], [1, 2, 16]);
    assert.equal(findExperimentExport(tree), null);
  });
});

describe('whether a file exports anything (an experiment missing its default export does; a script need not)', () => {
  const exporting: Record<string, string> = {
    'a named const': 'export const model = () => m;',
    'a named function': 'export function model() { return m; }',
    'a list of names': 'const model = () => m;\nexport { model };',
    'a default': 'export default { name: "x" };',
    'everything of another module': "export * from './x';",
    'module.exports': 'module.exports = { model };',
    'exports.model': 'exports.model = () => m;',
  };
  for (const [name, text] of Object.entries(exporting)) {
    it(`${name}: yes`, () => assert.equal(exportsAnything(parseSource(text, 'e.ts').tree), true));
  }
  const silent: Record<string, string> = {
    'a training script': "import * as tf from '@tensorflow/tfjs';\nawait model.fit(x, y);",
    '`export {}` (only to make it a module)': 'export {};\nawait model.fit(x, y);',
    'a local `exports` variable read': 'const exports = 1;\nconsole.log(exports);',
  };
  for (const [name, text] of Object.entries(silent)) {
    it(`${name}: no`, () => assert.equal(exportsAnything(parseSource(text, 'e.ts').tree), false));
  }
});

describe('locating a setting in the experiment source', () => {
  const text = [
    "import { defineExperiment } from 'model-lens';",
    'const training = {',
    '  epochs: 2,',
    "  optimizer: { type: 'sgd', learningRate: 0.1 },",
    '};',
    'export default defineExperiment({',
    '  model: () => m,',
    "  data: { dataset: 'mnist' },",
    '  training,',
    "  freeze: ['a', 'b'],",
    '});',
  ].join('\n');
  const { tree } = parseSource(text, 'e.ts');
  const experiment = findExperimentExport(tree)!;

  it('finds a key written in the object, with its column', () => {
    assert.deepEqual(locateSetting(tree, experiment, ['data', 'dataset']), { line: lineOfText(text, "dataset: 'mnist'"), column: 11, exact: true });
  });

  it('follows a shorthand property to the variable it names', () => {
    const at = locateSetting(tree, experiment, ['training', 'optimizer', 'learningRate']);
    assert.equal(at.line, lineOfText(text, 'learningRate'));
    assert.equal(at.exact, true);
  });

  it('finds array elements by index', () => {
    const at = locateSetting(tree, experiment, ['freeze', 1]);
    const line = lineOfText(text, 'freeze');
    assert.deepEqual([at.line, at.column, at.exact], [line, text.split('\n')[line - 1].indexOf("'b'") + 1, true]);
  });

  it('falls back to the deepest key written when the path goes further', () => {
    const at = locateSetting(tree, experiment, ['training', 'schedule', 'type']);
    assert.equal(at.line, lineOfText(text, '  training,'));
    assert.equal(at.exact, false);
  });

  it('points at model for the model() function', () => {
    assert.equal(locateSetting(tree, experiment, ['model']).line, lineOfText(text, 'model: () => m'));
  });
});
