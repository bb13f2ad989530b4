import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModelJson } from '../../src/model/modelJson';
import { loadExperiment } from '../../src/model/loadExperiment';
import { computeSummary } from '../../src/model/modelSummary';
import { initInspectionRuntime } from '../../src/model/tfRuntime';
import { UserError } from '../../src/model/userError';
import { saveModelFiles } from '../helpers/saveModel';

function smallModel(): tf.LayersModel {
  return tf.sequential({
    name: 'small',
    layers: [
      tf.layers.dense({ units: 5, inputShape: [3], name: 'd1' }),
      tf.layers.dense({ units: 2, name: 'd2' }),
    ],
  });
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ml-modeljson-'));

async function rejectsWith(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof UserError, String(e));
    assert.match(e.format(), pattern);
    return true;
  });
}

before(() => initInspectionRuntime());

describe('loading a tfjs model.json from disk', () => {
  it('restores the topology and the exact weights', async () => {
    const original = smallModel();
    const file = await saveModelFiles(original, tmp());
    const loaded = await loadModelJson(file);
    assert.deepEqual(loaded.layers.map((l) => l.name), ['d1', 'd2']);
    const a = original.getWeights().map((w) => Array.from(w.dataSync()));
    const b = loaded.getWeights().map((w) => Array.from(w.dataSync()));
    assert.deepEqual(b, a);
  });

  it('builds the topology alone when weights are not wanted', async () => {
    const dir = tmp();
    const file = await saveModelFiles(smallModel(), dir);
    fs.rmSync(path.join(dir, 'weights.bin'));
    const model = await loadModelJson(file, false);
    assert.equal(computeSummary(model).totals.totalParams, (3 * 5 + 5) + (5 * 2 + 2));
  });

  it('names the missing shard file', async () => {
    const dir = tmp();
    const file = await saveModelFiles(smallModel(), dir);
    fs.rmSync(path.join(dir, 'weights.bin'));
    await rejectsWith(loadModelJson(file), /weight shard .*weights\.bin is missing/);
  });

  it('names the weight a truncated shard cannot hold', async () => {
    const dir = tmp();
    const file = await saveModelFiles(smallModel(), dir);
    const shard = path.join(dir, 'weights.bin');
    const bytes = fs.readFileSync(shard);
    // d1/kernel (15 floats) + d1/bias (5) + d2/kernel (10) fit; d2/bias (2 floats) is cut short.
    fs.writeFileSync(shard, bytes.subarray(0, (15 + 5 + 10 + 1) * 4));
    await rejectsWith(loadModelJson(file), /model\.json: weight "d2\/bias" needs bytes 120\.\.128 .* only 124 bytes/);
  });

  it('names a weight the manifest does not have', async () => {
    const dir = tmp();
    const file = await saveModelFiles(smallModel(), dir);
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    json.weightsManifest[0].weights[1].name = 'd1/offset';
    fs.writeFileSync(file, JSON.stringify(json));
    await rejectsWith(loadModelJson(file), /model has weight "d1\/bias" but the weights manifest does not \(it has "d1\/offset" instead\)/);
  });

  it('is what loadModel() from model-lens gives an experiment, relative to the experiment file', async () => {
    const dir = tmp();
    await saveModelFiles(smallModel(), path.join(dir, 'pretrained'));
    const experiment = path.join(dir, 'finetune.ts');
    fs.writeFileSync(experiment, `
      import * as tf from '@tensorflow/tfjs';
      import { defineExperiment, loadModel } from 'model-lens';
      export default defineExperiment({
        model: async () => {
          const base = await loadModel('./pretrained/model.json');
          base.trainable = false;
          return tf.sequential({ layers: [base, tf.layers.dense({ units: 4, name: 'head' })] });
        },
      });
    `);
    const { model } = await loadExperiment(experiment);
    const summary = computeSummary(model);
    assert.equal(summary.totals.nonTrainableParams, (3 * 5 + 5) + (5 * 2 + 2));
    assert.equal(summary.totals.trainableParams, 2 * 4 + 4);
  });
});
