// One build script for every bundle: dist/extension.js (VS Code host), dist/cli.js (headless CLI),
// and the test files under out/. `node esbuild.mjs [--watch]`.
import * as esbuild from 'esbuild';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'linked', logLevel: 'warning' };

/** Loaded at run time from node_modules: native or optional, or they find files next to themselves. */
const runtimeExternals = ['@tensorflow/tfjs-node', 'esbuild', 'esbuild-wasm'];

function testEntries(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return testEntries(p);
    return /\.test\.ts$/.test(name) ? [p] : [];
  });
}

const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  {
    ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', external: runtimeExternals,
    banner: { js: '#!/usr/bin/env node' },
  },
  // Tests import our sources directly; packages stay external so tests share one tfjs instance.
  { ...common, entryPoints: testEntries('test'), outdir: 'out/test', outbase: 'test', packages: 'external', sourcemap: 'inline' },
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
