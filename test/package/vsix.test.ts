import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../helpers/fixtures';

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
      'extension/dist/tfjs-backend-wasm-simd.wasm', 'extension/dist/mnist/train-images-idx3-ubyte.gz', 'extension/examples/mnist-mlp.ts',
      'extension/examples/mnist-cnn.ts', 'extension/media/model-lens.svg', 'extension/package.json', 'extension/readme.md']) {
      assert.ok(files.some((x) => x.toLowerCase() === f.toLowerCase()), `${f} in ${files.join(', ')}`);
    }
  });

  it('holds no tests, no sources, no source maps and only the node_modules the bundles load', () => {
    assert.deepEqual(files.filter((f) => /^extension\/(test|src|out|bench)\//.test(f)), []);
    assert.deepEqual(files.filter((f) => f.endsWith('.map')), []);
    const modules = new Set(files.filter((f) => f.startsWith('extension/node_modules/')).map((f) => f.split('/')[2]));
    assert.deepEqual([...modules].sort(), ['esbuild-wasm', 'model-lens-typescript-plugin']);
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
