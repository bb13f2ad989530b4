// tfjs-node is the user's: found in the node_modules above the experiment, then globally, and used
// only when its tfjs-core is ours. A stand-in package (a cpu backend registered as "tensorflow")
// plays it here, since the real one does not install offline.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { chooseBackend } from '../../src/trainer/backendChoice';
import { findTfjsNode, globalFolders, searchFolders, usableTfjsNode } from '../../src/trainer/tfjsNodeLocation';

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'model-lens-tfjs-node-'));
after(() => fs.rmSync(temp, { recursive: true, force: true }));

/** A project folder whose node_modules holds a stand-in tfjs-node running on tfjs-core `coreVersion`. */
function projectWithStandIn(name: string, coreVersion: string, packageName = '@tensorflow/tfjs-node'): string {
  const project = path.join(temp, name);
  const modules = path.join(project, 'node_modules', '@tensorflow');
  const pkg = path.join(project, 'node_modules', packageName);
  fs.mkdirSync(pkg, { recursive: true });
  fs.mkdirSync(path.join(modules, 'tfjs-core'), { recursive: true });
  fs.writeFileSync(path.join(modules, 'tfjs-core', 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-core', version: coreVersion }));
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: packageName, version: coreVersion, main: 'index.js' }));
  // Registers into the process's one tfjs engine, as the real package does: the cpu kernels under "tensorflow".
  const core = require.resolve('@tensorflow/tfjs-core');
  const cpu = require.resolve('@tensorflow/tfjs-backend-cpu');
  fs.writeFileSync(path.join(pkg, 'index.js'), [
    `const tf = require(${JSON.stringify(core)});`,
    `const { MathBackendCPU } = require(${JSON.stringify(cpu)});`,
    `globalThis.__standInLoadedFrom = __dirname;`,
    `tf.registerBackend('tensorflow', () => new MathBackendCPU(), 3);`,
    `for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: 'tensorflow' });`,
  ].join('\n'));
  fs.mkdirSync(path.join(project, 'experiments', 'deep'), { recursive: true });
  return project;
}

describe('where tfjs-node is looked for', () => {
  it('in every node_modules from the experiment\'s folder up to the root, nearest first, then the global folders', () => {
    const folders = searchFolders('/home/ann/project/experiments', ['/usr/local/lib/node_modules']);
    assert.deepEqual(folders, ['/home/ann/project/experiments/node_modules', '/home/ann/project/node_modules', '/home/ann/node_modules',
      '/home/node_modules', '/node_modules', '/usr/local/lib/node_modules']);
  });

  it('globally: NODE_PATH, the npm prefix and the usual install folders', () => {
    const linux = globalFolders({ NODE_PATH: '/opt/n/lib/node_modules', npm_config_prefix: '/home/ann/.local' }, 'linux');
    assert.deepEqual(linux.slice(0, 3), ['/opt/n/lib/node_modules', '/home/ann/.local/lib/node_modules', '/usr/local/lib/node_modules']);
    const windows = globalFolders({ APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'win32');
    assert.deepEqual(windows, [path.join('C:\\Users\\ann\\AppData\\Roaming', 'npm', 'node_modules')]);
  });

  it('finds the -gpu package too, with the tfjs-core its own require resolves', () => {
    const project = projectWithStandIn('gpu', '4.22.0', '@tensorflow/tfjs-node-gpu');
    const found = findTfjsNode(searchFolders(path.join(project, 'experiments'), []));
    assert.equal(found?.name, '@tensorflow/tfjs-node-gpu');
    assert.equal(found?.coreVersion, '4.22.0');
  });

  it('says where it looked when there is none', () => {
    const empty = path.join(temp, 'empty');
    fs.mkdirSync(empty, { recursive: true });
    const r = usableTfjsNode(empty, tf.version_core, searchFolders(empty, []));
    assert.equal(r.usable, null);
    assert.match(!r.usable ? r.reason : '', /not installed in the workspace or globally/);
  });
});

describe('using the user\'s tfjs-node', () => {
  it('refuses one whose tfjs-core differs from ours, saying both versions; auto goes on to the next backend', async () => {
    const project = projectWithStandIn('old', '4.10.0');
    const from = path.join(project, 'experiments', 'deep');
    const choice = await chooseBackend('auto', ['webgpu'], { searchFrom: from });
    assert.equal(choice.backend, 'wasm');
    assert.match(choice.reason, new RegExp(`tensorflow: ${path.join(project, 'node_modules', '@tensorflow', 'tfjs-node').replace(/[\\.]/g, '\\$&')} runs on tfjs-core 4\\.10\\.0, Model Lens on ${tf.version_core.replace(/\./g, '\\.')}: install @tensorflow/tfjs-node@${tf.version_core.replace(/\./g, '\\.')}`));
    await assert.rejects(chooseBackend('tensorflow', [], { searchFrom: from }), /runs on tfjs-core 4\.10\.0/);
    assert.equal((globalThis as { __standInLoadedFrom?: string }).__standInLoadedFrom, undefined, 'the mismatching package was not loaded');
  });

  it('loads one whose tfjs-core is ours from the experiment\'s workspace and runs ops on it', async () => {
    const project = projectWithStandIn('matching', tf.version_core);
    const choice = await chooseBackend('auto', [], { searchFrom: path.join(project, 'experiments', 'deep') });
    const dir = path.join(project, 'node_modules', '@tensorflow', 'tfjs-node');
    assert.equal(choice.backend, 'tensorflow');
    assert.equal(choice.reason, `tensorflow from ${dir} is the fastest backend available`);
    assert.equal((globalThis as { __standInLoadedFrom?: string }).__standInLoadedFrom, dir);
    assert.equal(tf.getBackend(), 'tensorflow');
    assert.deepEqual(Array.from(await tf.add(tf.tensor([1, 2]), tf.tensor([3, 4])).data()), [4, 6]);
  });
});
