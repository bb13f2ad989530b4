// Platform-specific VSIX packages: each carries the one Dawn binary (npm `webgpu`'s dawn.node and the
// files beside it) of its platform in dist/dawn/, so the webgpu backend works there; the universal
// package (`npm run package`) carries none. `node scripts/package-targets.mjs [target…]` (default: all).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
/** vsce's target → the folder of node_modules/webgpu/dist that holds its dawn.node. */
const DAWN_FOLDERS = {
  'linux-x64': 'linux-x64', 'linux-arm64': 'linux-arm64', 'darwin-x64': 'darwin-universal', 'darwin-arm64': 'darwin-universal',
  'win32-x64': 'win32-x64', 'win32-arm64': 'win32-arm64',
};
const targets = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(DAWN_FOLDERS);
const unknown = targets.filter((t) => !(t in DAWN_FOLDERS));
if (unknown.length) {
  console.error(`unknown target(s): ${unknown.join(', ')}; known: ${Object.keys(DAWN_FOLDERS).join(', ')}`);
  process.exit(2);
}
const dawnDist = join(dirname(require.resolve('webgpu/package.json')), 'dist');
execFileSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
for (const target of targets) {
  const folder = DAWN_FOLDERS[target];
  rmSync('dist/dawn', { recursive: true, force: true });
  if (!existsSync(join(dawnDist, folder, 'dawn.node'))) throw new Error(`npm webgpu has no ${folder}/dawn.node`);
  cpSync(join(dawnDist, folder), join('dist', 'dawn', folder), { recursive: true });
  try {
    execFileSync('npx', ['vsce', 'package', '--no-yarn', '--target', target, '-o', `model-lens-${target}.vsix`], { stdio: 'inherit' });
  } finally {
    rmSync('dist/dawn', { recursive: true, force: true });
  }
}
