import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readIdx } from '../../src/data/idxFile';
import { ROOT } from '../helpers/fixtures';

/** The cap on the universal VSIX, in bytes (17 MB), with the full MNIST inside. */
const MAX_VSIX_BYTES = 17_000_000;

describe('the packaged VSIX', () => {
  let files: string[] = [];
  let unpacked = '';

  before(() => {
    execFileSync('npm', ['run', 'package', '--silent'], { cwd: ROOT, stdio: 'pipe', timeout: 300_000 });
    unpacked = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-vsix-'));
    execFileSync('python3', ['-m', 'zipfile', '-e', path.join(ROOT, 'model-lens.vsix'), unpacked]);
    const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : [path.relative(unpacked, path.join(dir, e.name))]);
    files = walk(unpacked);
  });

  it('holds the bundles, media and examples', () => {
    for (const f of ['extension/dist/extension.js', 'extension/dist/cli.js', 'extension/dist/trainer.js',
      'extension/dist/tfjs-backend-wasm-simd.wasm', 'extension/dist/mnist/train-images-idx3-ubyte.br', 'extension/examples/mnist-mlp.ts',
      'extension/examples/mnist-cnn.ts', 'extension/media/model-lens.svg', 'extension/media/icon.png', 'extension/package.json', 'extension/readme.md', 'extension/changelog.md']) {
      assert.ok(files.some((x) => x.toLowerCase() === f.toLowerCase()), `${f} in ${files.join(', ')}`);
    }
  });

  it('holds no tests, no sources, no source maps and only the node_modules the bundles load', () => {
    assert.deepEqual(files.filter((f) => /^extension\/(test|src|out|bench)\//.test(f)), []);
    assert.deepEqual(files.filter((f) => f.endsWith('.map')), []);
    const modules = new Set(files.filter((f) => f.startsWith('extension/node_modules/')).map((f) => f.split('/')[2]));
    assert.deepEqual([...modules].sort(), ['esbuild-wasm', 'model-lens-typescript-plugin']);
  });

  it(`is at most ${MAX_VSIX_BYTES / 1e6} MB and still holds the full MNIST (60,000 train and 10,000 test images)`, () => {
    const size = fs.statSync(path.join(ROOT, 'model-lens.vsix')).size;
    assert.ok(size <= MAX_VSIX_BYTES, `model-lens.vsix is ${(size / 1e6).toFixed(2)} MB`);
    const mnist = path.join(unpacked, 'extension/dist/mnist');
    assert.deepEqual(readIdx(path.join(mnist, 'train-images-idx3-ubyte.br')).dims, [60000, 28, 28]);
    assert.deepEqual(readIdx(path.join(mnist, 't10k-images-idx3-ubyte.br')).dims, [10000, 28, 28]);
    assert.equal(readIdx(path.join(mnist, 'train-labels-idx1-ubyte.br')).dims[0], 60000);
    assert.equal(readIdx(path.join(mnist, 't10k-labels-idx1-ubyte.br')).dims[0], 10000);
  });

  it('ships type declarations without tfjs\'s tests and WebGL backend', () => {
    const types = files.filter((f) => f.startsWith('extension/dist/types/'));
    assert.ok(types.some((f) => f.endsWith('tfjs-core/dist/index.d.ts')), 'tfjs-core declarations');
    assert.deepEqual(types.filter((f) => /_test\.d\.ts$|\.rollup\.cache/.test(f)), []);
    const webgl = types.filter((f) => f.includes('/tfjs-backend-webgl/'));
    assert.deepEqual(webgl.map((f) => f.replace(/.*tfjs-backend-webgl\//, '')).sort(), ['dist/index.d.ts', 'package.json'], 'only the stub');
  });

  it('carries the Marketplace fields: a 128×128 PNG icon, the repository, a gallery banner, preview', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'extension/package.json'), 'utf8'));
    const icon = fs.readFileSync(path.join(unpacked, 'extension', manifest.icon));
    assert.deepEqual([...icon.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
    assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128], 'IHDR width × height');
    assert.match(manifest.repository.url, /^https:\/\/github\.com\/[\w-]+\/[\w-]+$/);
    assert.match(manifest.galleryBanner.color, /^#[0-9a-f]{6}$/i);
    assert.equal(manifest.preview, true);
  });

  it('runs the CLI from the unpacked extension alone (esbuild-wasm, bundled tfjs)', () => {
    const r = spawnSync(process.execPath, [path.join(unpacked, 'extension/dist/cli.js'), 'summary',
      path.join(unpacked, 'extension/examples/mnist-mlp.ts'), '--json'], { cwd: unpacked, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).totals.totalParams, 468874);
  });

  it('trains from the unpacked extension alone on the bundled MNIST with the wasm backend', () => {
    const r = spawnSync(process.execPath, [path.join(unpacked, 'extension/dist/cli.js'), 'train',
      path.join(unpacked, 'extension/examples/mnist-mlp.ts'), '--limit', '256', '--json'], { cwd: unpacked, encoding: 'utf8', timeout: 180_000 });
    assert.equal(r.status, 0, r.stderr);
    const messages = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const ready = messages.find((m) => m.type === 'ready');
    assert.equal(ready.backend, 'wasm');
    assert.ok(messages.find((m) => m.type === 'model').dataset.source.startsWith(path.join(unpacked, 'extension/dist/mnist')));
    assert.equal(messages[messages.length - 1].reason, 'completed');
  });

  it('puts Train on experiment files\' title bar and Stop there only while a training runs', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'extension/package.json'), 'utf8'));
    const title = manifest.contributes.menus['editor/title'] as { command: string; when: string }[];
    assert.equal(title.find((m) => m.command === 'modelLens.train')?.when, 'modelLens.isExperiment');
    assert.equal(title.find((m) => m.command === 'modelLens.stop')?.when, 'modelLens.running');
    for (const m of title) assert.ok(manifest.contributes.commands.find((c: { command: string; icon?: string }) => c.command === m.command)?.icon, `${m.command} has an icon`);
  });

  it('declares the four commands, limited Workspace Trust and an engine no newer than ^1.100.0', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'extension/package.json'), 'utf8'));
    const titles = manifest.contributes.commands.map((c: { category: string; title: string }) => `${c.category}: ${c.title}`);
    for (const t of ['Model Lens: Train Model', 'Model Lens: Stop Training', 'Model Lens: Show Model Graph', 'Model Lens: Show Layer Summary']) {
      assert.ok(titles.includes(t), t);
    }
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    const [major, minor] = manifest.engines.vscode.replace(/^\^/, '').split('.').map(Number);
    assert.ok(major === 1 && minor <= 100, manifest.engines.vscode);
  });
});
