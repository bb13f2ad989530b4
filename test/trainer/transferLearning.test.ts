import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { GradientsMessage, ModelMessage, TrainerMessage, TrainRequest } from '../../src/protocol/messages';
import { runTraining, type RunControl } from '../../src/trainer/trainingRun';
import { example } from '../helpers/fixtures';

async function train(request: TrainRequest, control: Partial<RunControl> = {}): Promise<TrainerMessage[]> {
  const messages: TrainerMessage[] = [];
  await runTraining(request, (m) => messages.push(m), Object.assign(control, { stopRequested: false }));
  return messages;
}

async function withEnv<T>(env: Record<string, string | undefined>, f: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  try { return await f(); } finally {
    for (const [k, v] of Object.entries(before)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  }
}

const testAccuracy = (ms: TrainerMessage[]) => {
  const e = ms.filter((m) => m.type === 'evaluation').pop();
  return e?.type === 'evaluation' ? e.test.accuracy : NaN;
};

describe('transfer learning: pretrain on 0–4, fine-tune a new head on 5–9', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-transfer-'));
  const pretrained = await train({ file: example('transfer/pretrain.ts'), limit: 6000, testLimit: 500, save: dir });
  const env = { MODEL_LENS_PRETRAINED: path.join(dir, 'model.json'), MODEL_LENS_RANDOM_BASE: undefined };
  let model: tf.LayersModel | null = null;
  const before = new Map<string, Uint8Array>();
  const finetuned = await withEnv(env, () => train({ file: example('transfer/finetune.ts'), testLimit: 1500 }, {
    onModel: (m) => { model = m; for (const w of m.weights) before.set(w.name, new Uint8Array(w.read().dataSync().slice().buffer)); },
  }));
  const baseline = await withEnv({ MODEL_LENS_RANDOM_BASE: '1' }, () => train({ file: example('transfer/finetune.ts'), testLimit: 1500 }));

  it('pretrains and saves the model', () => {
    assert.ok(pretrained.some((m) => m.type === 'done' && m.savedTo === path.join(dir, 'model.json')));
    assert.ok(testAccuracy(pretrained) > 0.9, String(testAccuracy(pretrained)));
  });

  it('fine-tuned beats the same head on a random frozen base, in the same number of steps', () => {
    const steps = (ms: TrainerMessage[]) => ms.filter((m) => m.type === 'batch').length;
    assert.equal(steps(finetuned), steps(baseline));
    assert.ok(testAccuracy(finetuned) > testAccuracy(baseline), `${testAccuracy(finetuned)} vs ${testAccuracy(baseline)}`);
  });

  it('keeps the frozen base’s weights byte-identical', () => {
    assert.ok(model);
    let frozenChecked = 0;
    for (const w of (model as unknown as tf.LayersModel).weights) {
      const after = new Uint8Array(w.read().dataSync().slice().buffer);
      if (/^conv\d/.test(w.name)) { assert.deepEqual(after, before.get(w.name), w.name); frozenChecked++; }
      else assert.notDeepEqual(after, before.get(w.name), w.name);
    }
    assert.equal(frozenChecked, 4);
  });

  it('gives gradient figures to the head only, and counts only the head as trainable', () => {
    const grads = finetuned.filter((m): m is GradientsMessage => m.type === 'gradients');
    for (const g of grads) {
      assert.deepEqual(g.layers.filter((l) => !l.frozen).map((l) => l.layer), ['new_hidden', 'new_head']);
      assert.ok(g.layers.filter((l) => l.frozen).every((l) => l.l2 === null));
    }
    const summary = (finetuned.find((m) => m.type === 'model') as ModelMessage).summary;
    // flatten: 28 → conv 26 → pool 13 → conv 11 → pool 5: 5·5·32 = 800 features.
    assert.equal(summary.totals.trainableParams, (800 * 64 + 64) + (64 * 5 + 5));
    // conv1 3·3·1·16 + 16 and conv2 3·3·16·32 + 32, frozen.
    assert.equal(summary.totals.nonTrainableParams, (3 * 3 * 1 * 16 + 16) + (3 * 3 * 16 * 32 + 32));
    const base = summary.layers.find((r) => r.name === 'pretrained_base')!;
    assert.equal(base.trainable, false);
  });
});
