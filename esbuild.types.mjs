// Type declarations that the TypeScript server plugin gives experiment files in folders without
// node_modules: tfjs's own .d.ts files and `model-lens`'s, under dist/types/node_modules, and the
// plugin itself under node_modules/model-lens-typescript-plugin (where VS Code looks for it).
import * as esbuild from 'esbuild';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import ts from 'typescript';

const require = createRequire(import.meta.url);
const TYPES = 'dist/types/node_modules';
const PACKAGES = ['tfjs', 'tfjs-core', 'tfjs-layers', 'tfjs-converter', 'tfjs-data', 'tfjs-backend-cpu', 'tfjs-backend-webgl'];

function copyDeclarations(from, to) {
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    if (statSync(src).isDirectory()) { if (name !== 'node_modules') copyDeclarations(src, join(to, name)); continue; }
    if (name.endsWith('.d.ts') || name === 'package.json') { mkdirSync(to, { recursive: true }); cpSync(src, join(to, name)); }
  }
}

export async function buildTypes() {
  const stamp = join('dist', 'types', '.stamp');
  const apiMtime = Math.max(statSync('src/api.ts').mtimeMs, statSync('src/protocol/experimentSpec.ts').mtimeMs);
  if (existsSync(stamp) && Number(readFileSync(stamp, 'utf8')) >= apiMtime) return;
  rmSync('dist/types', { recursive: true, force: true });
  for (const p of PACKAGES) copyDeclarations(dirname(require.resolve(`@tensorflow/${p}/package.json`)), join(TYPES, '@tensorflow', p));
  // model-lens: declarations emitted from src/api.ts.
  const out = join(TYPES, 'model-lens');
  const program = ts.createProgram(['src/api.ts'], {
    declaration: true, emitDeclarationOnly: true, outDir: out, rootDir: 'src', skipLibCheck: true, strict: true,
    module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, moduleResolution: ts.ModuleResolutionKind.Node10, types: [],
  });
  program.emit();
  writeFileSync(join(out, 'package.json'), JSON.stringify({ name: 'model-lens', types: 'api.d.ts' }));
  writeFileSync('dist/types/anchor.d.ts', '// Module resolution for experiment files starts here.\nexport {};\n');
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

void relative;
