// Type declarations that the TypeScript server plugin gives experiment files in folders without
// node_modules: tfjs's own .d.ts files and `model-lens`'s, under dist/types/node_modules, and the
// plugin itself under node_modules/model-lens-typescript-plugin (where VS Code looks for it).
import * as esbuild from 'esbuild';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import ts from 'typescript';

const require = createRequire(import.meta.url);
const TYPES = 'dist/types/node_modules';
const PACKAGES = ['tfjs', 'tfjs-core', 'tfjs-layers', 'tfjs-converter', 'tfjs-data', 'tfjs-backend-cpu'];
/** tfjs's own tests' declarations: nothing public imports them. */
const TEST_DECLARATION = /(_test|^jasmine_util|^test_async_backends)\.d\.ts$/;
// Experiment files train in Node, where WebGL never runs; tfjs re-exports the backend, so a stub
// keeps `import * as tf from '@tensorflow/tfjs'` resolving without its 1,200 KB of declarations.
const WEBGL_STUB = `// Model Lens ships no WebGL declarations: experiment files train in Node (tensorflow, wasm, cpu).
export declare const version_webgl: string;
export declare const webgl: { forceHalfFloat(): void };
`;

function copyDeclarations(from, to) {
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    if (statSync(src).isDirectory()) { if (name !== 'node_modules' && name !== '.rollup.cache') copyDeclarations(src, join(to, name)); continue; }
    if ((name.endsWith('.d.ts') && !TEST_DECLARATION.test(name)) || name === 'package.json') { mkdirSync(to, { recursive: true }); cpSync(src, join(to, name)); }
  }
}

function writeWebglStub() {
  const dir = join(TYPES, '@tensorflow', 'tfjs-backend-webgl');
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-backend-webgl', types: 'dist/index.d.ts' }));
  writeFileSync(join(dir, 'dist', 'index.d.ts'), WEBGL_STUB);
}

/** Deletes the declarations that no import of `@tensorflow/tfjs*` or `model-lens` reaches (kernel
 *  internals, per-op gradient configs, …): what the compiler reads for an experiment file is what
 *  ships. Both resolution modes a user's tsconfig may pick are followed. */
function pruneUnreachable() {
  const probe = join('dist', 'types', 'reach.ts');
  const entries = ['model-lens', ...PACKAGES.map((p) => `@tensorflow/${p}`)];
  writeFileSync(probe, entries.map((e) => `import '${e}';\n`).join(''));
  const reached = new Set();
  for (const [module, moduleResolution] of [[ts.ModuleKind.CommonJS, ts.ModuleResolutionKind.Node10], [ts.ModuleKind.ESNext, ts.ModuleResolutionKind.Bundler]]) {
    const program = ts.createProgram([probe], { noEmit: true, types: [], module, moduleResolution, target: ts.ScriptTarget.ES2022 });
    for (const f of program.getSourceFiles()) reached.add(resolve(f.fileName));
  }
  rmSync(probe);
  const prune = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) prune(p);
      else if (name.endsWith('.d.ts') && !reached.has(resolve(p))) unlinkSync(p);
    }
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  };
  prune(TYPES);
}

export async function buildTypes() {
  const stamp = join('dist', 'types', '.stamp');
  const apiMtime = Math.max(...['src/api.ts', 'src/protocol/experimentSpec.ts', 'esbuild.types.mjs'].map((f) => statSync(f).mtimeMs));
  if (existsSync(stamp) && Number(readFileSync(stamp, 'utf8')) >= apiMtime) return;
  rmSync('dist/types', { recursive: true, force: true });
  for (const p of PACKAGES) copyDeclarations(dirname(require.resolve(`@tensorflow/${p}/package.json`)), join(TYPES, '@tensorflow', p));
  writeWebglStub();
  // model-lens: declarations emitted from src/api.ts.
  const out = join(TYPES, 'model-lens');
  const program = ts.createProgram(['src/api.ts'], {
    declaration: true, emitDeclarationOnly: true, outDir: out, rootDir: 'src', skipLibCheck: true, strict: true,
    module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, moduleResolution: ts.ModuleResolutionKind.Node10, types: [],
  });
  program.emit();
  writeFileSync(join(out, 'package.json'), JSON.stringify({ name: 'model-lens', types: 'api.d.ts' }));
  writeFileSync('dist/types/anchor.d.ts', '// Module resolution for experiment files starts here.\nexport {};\n');
  pruneUnreachable();
  writeFileSync(stamp, String(apiMtime));
}

export async function buildTsPlugin() {
  // VS Code loads the plugin from <extension>/node_modules/<name>; .vscodeignore lets vsce pack it.
  const dir = 'node_modules/model-lens-typescript-plugin';
  if (existsSync(dir) && lstatSync(dir).isSymbolicLink()) unlinkSync(dir);
  mkdirSync(dir, { recursive: true });
  cpSync('ts-plugin/package.json', join(dir, 'package.json'));
  await esbuild.build({ entryPoints: ['src/tsPlugin/index.ts'], outfile: join(dir, 'index.js'), bundle: true, platform: 'node', format: 'cjs', target: 'node18', logLevel: 'warning' });
}

