import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { example, ROOT } from '../helpers/fixtures';

type Resolve = (literals: readonly ts.StringLiteralLike[], containingFile: string, redirected: unknown, options: ts.CompilerOptions) => readonly ts.ResolvedModuleWithFailedLookupLocations[];

/** Type-checks `file` the way tsserver does, with the Model Lens plugin wrapping module resolution. */
function diagnosticsWithPlugin(file: string): string[] {
  const options: ts.CompilerOptions = { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, noEmit: true, types: [], lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'] };
  const plain: Resolve = (literals, containingFile, _r, opts) => literals.map((l) => ts.resolveModuleName(l.text, containingFile, opts, ts.sys));
  const languageServiceHost = { resolveModuleNameLiterals: plain } as unknown as ts.LanguageServiceHost & { resolveModuleNameLiterals: Resolve };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const init = require(path.join(ROOT, 'node_modules', 'model-lens-typescript-plugin')) as (m: { typescript: typeof ts }) => { create(info: unknown): unknown };
  init({ typescript: ts }).create({ languageServiceHost, languageService: {}, project: { projectService: { logger: { info() {} } } } });
  const host = ts.createCompilerHost(options);
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, opts) => languageServiceHost.resolveModuleNameLiterals(literals, containingFile, redirected, opts);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('types for experiment files in a folder without node_modules', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-types-'));
  const file = path.join(dir, 'mnist-mlp.ts');
  fs.copyFileSync(example('mnist-mlp.ts'), file);

  it('resolve @tensorflow/tfjs and model-lens through the plugin, with no type errors', () => {
    assert.deepEqual(diagnosticsWithPlugin(file), []);
  });

  it('still report a real type error in the experiment', () => {
    const bad = path.join(dir, 'bad.ts');
    fs.writeFileSync(bad, fs.readFileSync(file, 'utf8').replace("units: 512", "units: '512'"));
    const errors = diagnosticsWithPlugin(bad);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /string.*number/);
  });

  it('would fail without the plugin (the folder really has no node_modules)', () => {
    const program = ts.createProgram([file], { noEmit: true, types: [] });
    const errors = ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.ok(errors.some((e) => /Cannot find module '@tensorflow\/tfjs'/.test(e)), errors.join('\n'));
  });
});

describe('the shipped experiment types are strict', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-strict-types-'));
  const source = fs.readFileSync(example('mnist-mlp.ts'), 'utf8');
  const variant = (name: string, from: string, to: string) => {
    assert.ok(source.includes(from), `examples/mnist-mlp.ts no longer has ${from}`);
    const file = path.join(dir, name);
    fs.writeFileSync(file, source.replace(from, to));
    return file;
  };

  it('underline a misspelt key inside defineExperiment(...), with the key meant', () => {
    const errors = diagnosticsWithPlugin(variant('epoch.ts', 'epochs: 5,', 'epoch: 5,'));
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /'epoch' does not exist in type 'TrainingSpec'.*Did you mean to write 'epochs'\?/s);
  });

  it('accept the typo only where the file says it expects the error (@ts-expect-error)', () => {
    assert.deepEqual(diagnosticsWithPlugin(variant('expected.ts', 'epochs: 5,', '// @ts-expect-error -- not a setting\n    epoch: 5,')), []);
  });

  it('refuse `optimiser`, an unknown optimizer type and a field of another optimizer', () => {
    for (const [name, from, to, expected] of [
      ['optimiser.ts', 'optimizer: {', 'optimiser: {', /'optimiser' does not exist.*Did you mean to write 'optimizer'\?/s],
      ['adamw.ts', "type: 'sgd'", "type: 'adamw'", /"adamw"/],
      ['beta.ts', "learningRate: 0.1 }", 'learningRate: 0.1, beta1: 0.9 }', /'beta1' does not exist in type 'SgdSpec'/],
    ] as const) {
      const errors = diagnosticsWithPlugin(variant(name, from, to));
      assert.equal(errors.length, 1, `${name}: ${errors.join('\n')}`);
      assert.match(errors[0], expected);
    }
  });
});

describe('the shipped types know your own data', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-data-types-'));
  const write = (name: string, data: string, training = '') => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `import * as tf from '@tensorflow/tfjs';\nimport { defineExperiment } from 'model-lens';\n\n` +
      `export default defineExperiment({\n  model: () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 1 })] }),\n  data: ${data},\n${training}});\n`);
    return file;
  };

  it('accept a CSV table, an image folder, data() with arrays or tensors, and a tf.data.Dataset', () => {
    for (const [name, data, training] of [
      ['csv.ts', "{ dataset: 'csv', file: './t.csv', label: 'price', categorical: 'auto', missing: 'mean', testSplit: 0.2 }", "  training: { loss: 'mse' },\n"],
      ['images.ts', "{ dataset: 'images', folder: './photos', size: [32, 32], channels: 3, augment: { flipHorizontal: true } }", ''],
      ['arrays.ts', '() => ({ train: { x: [[1, 2, 3]], y: [0] }, test: { x: [[1, 2, 3]], y: [1] } })', ''],
      ['tensors.ts', 'async () => ({ train: { x: tf.zeros([4, 3]), y: tf.zeros([4, 1]) } })', ''],
      ['dataset.ts', '() => ({ train: tf.data.array([{ xs: tf.zeros([3]), ys: tf.zeros([1]) }]) })', '  training: { stepsPerEpoch: 10 },\n'],
    ]) {
      assert.deepEqual(diagnosticsWithPlugin(write(name, data, training)), [], name);
    }
  });

  it("underline a misspelt key of a CSV table and an image folder's wrong channels", () => {
    const label = diagnosticsWithPlugin(write('lable.ts', "{ dataset: 'csv', file: './t.csv', lable: 'price' }"));
    assert.ok(label.some((e) => /'lable' does not exist/.test(e)), label.join('\n'));
    const channels = diagnosticsWithPlugin(write('channels.ts', "{ dataset: 'images', folder: './p', size: [8, 8], channels: 4 }"));
    assert.ok(channels.some((e) => /'4' is not assignable/.test(e)), channels.join('\n'));
  });
});
