import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadExperiment } from '../../src/model/loadExperiment';
import { loadModelJson } from '../../src/model/modelJson';
import { initInspectionRuntime } from '../../src/model/tfRuntime';
import { UserError } from '../../src/model/userError';
import { saveModelFiles } from '../helpers/saveModel';

before(() => initInspectionRuntime());

/** A saved two-layer model (d1/kernel [3, 5], d1/bias [5], d2/kernel [5, 2], d2/bias [2]): its model.json path. */
async function savedModel(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-manifest-'));
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 5, inputShape: [3], name: 'd1' }), tf.layers.dense({ units: 2, name: 'd2' })] });
  const file = await saveModelFiles(model, dir);
  model.dispose();
  return file;
}

/** Rewrites the model.json's manifest with `change`. */
function editManifest(file: string, change: (manifest: { paths: unknown; weights: Record<string, unknown>[] }[]) => unknown): void {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  json.weightsManifest = change(json.weightsManifest) ?? json.weightsManifest;
  fs.writeFileSync(file, JSON.stringify(json));
}

async function refused(file: string, pattern: RegExp): Promise<UserError> {
  let caught: unknown = null;
  try {
    (await loadModelJson(file)).dispose();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof UserError, `expected a UserError, got ${String(caught)}`);
  assert.ok(caught.message.startsWith(`${file}: `), `names the model.json: ${caught.message}`);
  assert.match(caught.message, pattern);
  return caught;
}

describe('model.json weights stay in their folder', () => {
  for (const shard of ['../../etc/passwd', '/etc/passwd', '/dev/zero', 'sub/../../weights.bin']) {
    it(`refuses the shard path ${shard}`, async () => {
      const file = await savedModel();
      editManifest(file, (m) => { m[0].paths = [shard]; });
      await refused(file, new RegExp(`weight shard "${shard.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}" \\(it holds d1/kernel, d1/bias, d2/kernel, d2/bias\\) is not a file in the model's folder`));
    });
  }

  it('refuses a shard in the folder that is a device, not a file', async () => {
    const file = await savedModel();
    fs.symlinkSync('/dev/zero', path.join(path.dirname(file), 'zeros.bin'));
    editManifest(file, (m) => { m[0].paths = ['zeros.bin']; });
    await refused(file, /weight shard .*zeros\.bin is not a regular file/);
  });

  it('refuses a shard larger than the manifest says, without reading it', async () => {
    const file = await savedModel();
    const shard = path.join(path.dirname(file), 'weights.bin');
    fs.truncateSync(shard, 64 * 2 ** 30); // sparse: 64 GiB that no one could read into memory
    await refused(file, /the shards weights\.bin hold 68719476736 bytes, but the weights listed for them \("d1\/kernel", "d1\/bias", "d2\/kernel", "d2\/bias"\) need 128/);
  });

  it('refuses a model.json that is a device', async () => {
    await assert.rejects(loadModelJson('/dev/zero'), (e: unknown) => e instanceof UserError && /^\/dev\/zero is not a regular file/.test(e.message));
  });
});

describe('a malformed weights manifest names the model.json and the weight', () => {
  const cases: [string, (m: { paths: unknown; weights: Record<string, unknown>[] }[]) => unknown, RegExp][] = [
    ['a shape that is not a list', (m) => { m[0].weights[1].shape = 5; }, /weight "d1\/bias": shape must be a list of sizes \(whole numbers ≥ 0\), got 5/],
    ['a negative size', (m) => { m[0].weights[2].shape = [5, -2]; }, /weight "d2\/kernel": shape must be a list of sizes \(whole numbers ≥ 0\), got \[5,-2\]/],
    ['an unknown dtype', (m) => { m[0].weights[0].dtype = 'float64'; }, /weight "d1\/kernel": dtype "float64" is not one tfjs stores/],
    ['an unknown quantization', (m) => { m[0].weights[0].quantization = { dtype: 'int4' }; }, /weight "d1\/kernel": quantization dtype "int4" is not one tfjs reads/],
    ['a weight without a name', (m) => { delete m[0].weights[3].name; }, /weightsManifest\[0\]\.weights\[3\] has no name/],
    ['a group without weights', (m) => { delete (m[0] as Partial<typeof m[0]>).weights; }, /weightsManifest\[0\] has no "weights" list/],
    ['paths that are not names', (m) => { m[0].paths = 'weights.bin'; }, /weightsManifest\[0\]\.paths must be a list of shard file names/],
    ['a manifest that is not a list', () => ({ paths: ['weights.bin'] }), /"weightsManifest" must be a list of weight groups/],
    ['sizes the shards do not hold', (m) => { m[0].weights[3].shape = [20]; }, /weight "d2\/bias" needs bytes 120\.\.200 but the shards weights\.bin hold only 128 bytes/],
  ];
  for (const [what, change, pattern] of cases) {
    it(what, async () => {
      const file = await savedModel();
      editManifest(file, change);
      await refused(file, pattern);
    });
  }

  it('is placed at the loadModel() call of the experiment that reads it', async () => {
    const file = await savedModel();
    editManifest(file, (m) => { m[0].weights[1].shape = 5; });
    const experiment = path.join(path.dirname(file), 'finetune.ts');
    fs.writeFileSync(experiment, [
      "import { loadModel } from 'model-lens';",
      'export default {',
      "  model: () => loadModel('./model.json'),",
      '};',
    ].join('\n'));
    await assert.rejects(loadExperiment(experiment), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.deepEqual(e.location && [e.location.file, e.location.line], [experiment, 3]);
      assert.match(e.message, /weight "d1\/bias": shape must be a list/);
      return true;
    });
  });
});
