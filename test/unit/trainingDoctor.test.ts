import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LayerActivation, LayerGradient } from '../../src/protocol/messages';
import { DOCTOR_LIMITS, TrainingDoctor } from '../../src/trainer/trainingDoctor';

const LR_LINE = { file: 'e.ts', line: 7, column: 5 };
const doctor = () => new TrainingDoctor({
  locateLayer: (name) => ({ file: 'e.ts', line: name === 'fc1' ? 3 : 4, column: 7 }),
  locateSetting: (p) => (p.join('.') === 'training.optimizer.learningRate' ? LR_LINE : null),
});

const gradient = (layer: string, meanAbs: number, updateRatio: number): LayerGradient =>
  ({ layer, frozen: false, l2: meanAbs * 10, meanAbs, maxAbs: meanAbs * 5, updateRatio });

/** Feeds `samples` sampled steps (every 20th) of the same figures; every diagnosis that came out. */
function feed(d: TrainingDoctor, samples: number, lr: number, gradients: LayerGradient[], activations: LayerActivation[] | null = null) {
  return Array.from({ length: samples }, (_, i) => d.observe(20 * (i + 1), lr, gradients, activations)).flat();
}

describe('the training doctor: learning rate from the update/weight ratios', () => {
  it('says too high after several samples ≫ 1e-2, once, at the learning rate\'s line, with the rate that aims at 1e-3', () => {
    const d = doctor();
    const ratio = 0.5;
    const out = feed(d, DOCTOR_LIMITS.samplesInARow + 4, 2, [gradient('fc1', 1e-2, ratio), gradient('fc2', 1e-2, ratio)]);
    assert.equal(out.length, 1);
    assert.equal(out[0].code, 'learningRateTooHigh');
    assert.equal(out[0].step, 20 * DOCTOR_LIMITS.samplesInARow);
    assert.deepEqual(out[0].source, LR_LINE);
    const fix = out[0].fixes[0];
    assert.ok(fix.kind === 'setLearningRate');
    assert.equal(fix.learningRate, Number((2 * (1e-3 / ratio)).toPrecision(1)));
  });

  it('says too low after several samples ≪ 1e-4, with a larger rate', () => {
    const out = feed(doctor(), DOCTOR_LIMITS.samplesInARow, 1e-4, [gradient('fc1', 1e-4, 1e-7), gradient('fc2', 1e-4, 1e-7)]);
    assert.equal(out[0]?.code, 'learningRateTooLow');
    const fix = out[0].fixes[0];
    assert.ok(fix.kind === 'setLearningRate' && fix.learningRate > 1e-4);
  });

  it('stays silent for one sample short of the streak, for healthy ratios, and when a schedule decayed the rate', () => {
    assert.deepEqual(feed(doctor(), DOCTOR_LIMITS.samplesInARow - 1, 1, [gradient('fc1', 1, 0.5), gradient('fc2', 1, 0.5)]), []);
    assert.deepEqual(feed(doctor(), 20, 0.1, [gradient('fc1', 1e-2, 1e-3), gradient('fc2', 1e-2, 2e-3)]), []);
    const d = doctor();
    feed(d, 1, 0.1, [gradient('fc1', 1e-2, 1e-3), gradient('fc2', 1e-2, 1e-3)]);
    assert.deepEqual(feed(d, 10, 0.001, [gradient('fc1', 1e-2, 1e-7), gradient('fc2', 1e-2, 1e-7)]), []);
  });

  it('starts the streak again after a healthy sample', () => {
    const d = doctor();
    const bad = [gradient('fc1', 1, 0.5), gradient('fc2', 1, 0.5)];
    feed(d, DOCTOR_LIMITS.samplesInARow - 1, 1, bad);
    feed(d, 1, 1, [gradient('fc1', 1, 1e-3), gradient('fc2', 1, 1e-3)]);
    assert.deepEqual(feed(d, DOCTOR_LIMITS.samplesInARow - 1, 1, bad), []);
  });
});

describe('the training doctor: gradient flow and dead units, named at their layer\'s line', () => {
  it('vanishing gradients at the first layer whose gradient is < 1e-3 × the last layer\'s', () => {
    const out = feed(doctor(), DOCTOR_LIMITS.samplesInARow, 0.1, [gradient('fc1', 1e-9, 1e-3), gradient('fc2', 1e-2, 1e-3)]);
    assert.deepEqual(out.map((x) => [x.code, x.layer, x.source?.line]), [['vanishingGradients', 'fc1', 3]]);
  });

  it('exploding gradients at the first layer whose gradient is > 1e3 × the last layer\'s', () => {
    const out = feed(doctor(), DOCTOR_LIMITS.samplesInARow, 0.1, [gradient('fc1', 50, 1e-3), gradient('fc2', 1e-2, 1e-3)]);
    assert.deepEqual(out.map((x) => [x.code, x.layer]), [['explodingGradients', 'fc1']]);
  });

  it('dead ReLUs when more than half the units are dead for several samples', () => {
    const act = (deadShare: number): LayerActivation[] => [{ layer: 'fc1', activation: 'relu', mean: 0, std: 0, deadShare, saturatedShare: null }];
    const healthy = [gradient('fc1', 1e-2, 1e-3), gradient('fc2', 1e-2, 1e-3)];
    assert.deepEqual(feed(doctor(), 10, 0.1, healthy, act(0.5)), [], '50% is not more than half');
    const out = feed(doctor(), DOCTOR_LIMITS.deadSamplesInARow, 0.1, healthy, act(0.75));
    assert.deepEqual(out.map((x) => [x.code, x.layer, x.source?.line]), [['deadRelu', 'fc1', 3]]);
    assert.match(out[0].message, /75% of the units of "fc1"/);
  });
});
