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
