import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AnomalyMessage, DiagnosisMessage, ErrorMessage, TrainerMessage, TrainRequest } from '../../src/protocol/messages';
import { runTraining } from '../../src/trainer/trainingRun';
import { fixture, lineOf } from '../helpers/fixtures';

async function train(request: TrainRequest): Promise<TrainerMessage[]> {
  const messages: TrainerMessage[] = [];
  await runTraining(request, (m) => messages.push(m), { stopRequested: false });
  return messages;
}

const LOGITS = fixture('doctor/logits-mlp.ts');
const of = <T extends TrainerMessage['type']>(ms: TrainerMessage[], type: T) => ms.filter((m): m is Extract<TrainerMessage, { type: T }> => m.type === type);

/** A copy of a fixture with `edit` applied to its text. */
function variant(file: string, edit: (text: string) => string): string {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ml-doctor-')), path.basename(file));
  fs.writeFileSync(out, edit(fs.readFileSync(file, 'utf8')));
  return out;
}

describe('a run whose last layer emits logits into a probability loss stops before its first step', () => {
  it('names the missing softmax at the last layer\'s line, with both fixes, and never the learning rate', async () => {
    const ms = await train({ file: LOGITS, backend: 'cpu', testLimit: 64 });
    const error = of(ms, 'error')[0] as ErrorMessage | undefined;
    assert.ok(error, JSON.stringify(ms.map((m) => m.type)));
    assert.match(error.message, /softmax is missing/);
    assert.doesNotMatch(`${error.message} ${error.hint}`, /learning rate/i);
    assert.equal(error.location?.line, lineOf(LOGITS, "units: 10, name: 'fc2'"));
    assert.match(error.hint ?? '', /activation: 'softmax'.*softmaxCrossEntropy/);
    const diagnosis = of(ms, 'diagnosis')[0] as DiagnosisMessage | undefined;
    assert.equal(diagnosis?.code, 'logitsIntoProbabilityLoss');
    assert.deepEqual(diagnosis?.fixes.map((f) => f.kind), ['setActivation', 'setLoss']);
    assert.equal(of(ms, 'batch').length, 0);
    assert.equal(of(ms, 'done')[0]?.reason, 'error');
  });

  it('a one-unit output without sigmoid into binaryCrossentropy is refused with the sigmoid as fix', async () => {
    const file = variant(LOGITS, (t) => t.replace("units: 10, name: 'fc2'", "units: 1, name: 'fc2'").replace("loss: 'categoricalCrossentropy'", "loss: 'binaryCrossentropy'")
      .replace("limit: 256", "limit: 256, classes: [0, 1]"));
    const ms = await train({ file, backend: 'cpu', testLimit: 64 });
    const diagnosis = of(ms, 'diagnosis')[0];
    assert.equal(diagnosis?.code, 'logitsIntoProbabilityLoss');
    assert.deepEqual(diagnosis?.fixes, [{ kind: 'setActivation', title: "Add activation: 'sigmoid' to the last layer", layer: 'fc2', activation: 'sigmoid' }]);
  });

  it('the same model trains with softmaxCrossEntropy, with no diagnosis about its output', async () => {
    const file = variant(LOGITS, (t) => t.replace("loss: 'categoricalCrossentropy'", "loss: 'softmaxCrossEntropy'"));
    const ms = await train({ file, backend: 'cpu', testLimit: 64 });
    assert.equal(of(ms, 'done')[0]?.reason, 'completed', JSON.stringify(of(ms, 'error')));
    assert.equal(of(ms, 'diagnosis').length, 0);
    assert.ok(of(ms, 'batch').every((b) => Number.isFinite(b.metrics.loss)));
  });
});

describe('a softmax before a loss that applies its own is a warning, and the run goes on', () => {
  it('reports it at the last layer after the model message, with the two fixes', async () => {
    const file = fixture('doctor/double-softmax.ts');
    const ms = await train({ file, backend: 'cpu', testLimit: 64 });
    const diagnosis = of(ms, 'diagnosis')[0];
    assert.equal(diagnosis?.code, 'softmaxBeforeLogitLoss');
    assert.equal(diagnosis?.severity, 'warning');
    assert.equal(diagnosis?.source?.line, lineOf(file, "activation: 'softmax', name: 'fc2'"));
    assert.deepEqual(diagnosis?.fixes.map((f) => [f.kind, f.kind === 'setActivation' ? f.activation : f.kind === 'setLoss' ? f.loss : null]),
      [['setActivation', null], ['setLoss', 'categoricalCrossentropy']]);
    assert.ok(ms.findIndex((m) => m.type === 'model') < ms.indexOf(diagnosis));
    assert.equal(of(ms, 'done')[0]?.reason, 'completed');
  });
});

describe('inputs far from normalised are reported against the normalize setting', () => {
  it('MNIST normalised with a tiny std: the figures as fed, and the normalize that fixes them', async () => {
    const file = variant(fixture('doctor/double-softmax.ts'), (t) => t.replace("loss: 'softmaxCrossEntropy'", "loss: 'categoricalCrossentropy'")
      .replace('normalize: { mean: 0.5, std: 0.5 }', 'normalize: { mean: 0, std: 0.01 }'));
    const ms = await train({ file, backend: 'cpu', testLimit: 64 });
    const diagnosis = of(ms, 'diagnosis').find((d) => d.code === 'inputsNotNormalised');
    assert.ok(diagnosis, JSON.stringify(of(ms, 'diagnosis')));
    assert.equal(diagnosis.source?.line, lineOf(file, 'normalize:'));
    const fix = diagnosis.fixes[0];
    assert.ok(fix?.kind === 'setNormalize');
    // MNIST's pixels in 0..1 have mean ≈ 0.13 and std ≈ 0.31 (the figures torchvision's tutorials use).
    assert.ok(Math.abs(fix.mean - 0.1307) < 0.02, String(fix.mean));
    assert.ok(Math.abs(fix.std - 0.3081) < 0.02, String(fix.std));
  });
});

describe('a non-finite loss at step 1 is told apart from divergence after updates', () => {
  it('before any update: says so, and does not blame the learning rate', async () => {
    const ms = await train({ file: fixture('doctor/overflow-init.ts'), backend: 'cpu', testLimit: 64 });
    const anomaly = of(ms, 'anomaly')[0] as AnomalyMessage | undefined;
    assert.ok(anomaly, JSON.stringify(of(ms, 'error')));
    assert.equal(anomaly.kind, 'nonFiniteBeforeUpdate');
    assert.equal(anomaly.step, 1);
    assert.match(anomaly.message, /before any update \(so not the learning rate\)/);
    assert.doesNotMatch(anomaly.message, /Lower the learning rate/);
  });

  it('after updates: says the training diverged and to lower the learning rate', async () => {
    const ms = await train({ file: fixture('train/diverge.ts'), backend: 'cpu', testLimit: 64 });
    const anomaly = of(ms, 'anomaly')[0] as AnomalyMessage | undefined;
    assert.ok(anomaly && anomaly.step > 1, JSON.stringify(anomaly));
    assert.notEqual(anomaly.kind, 'nonFiniteBeforeUpdate');
    assert.match(anomaly.message, /after \d+ updates?: the training diverged.*Lower the learning rate/);
  });
});
