// A spec that cannot work fails with a ScheduleConfigError naming the schedule and the field, and
// a hint that says what to write (PyTorch's argument names lead to ours).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSchedule, plannedLearningRates, type ScheduleSpec } from '../src/index';
import { configError } from './scheduleAssertions';

describe('validation', () => {
  const ctx = { baseLr: 0.1, epochs: 10, stepsPerEpoch: 10 };

  it('rejects an unknown type and suggests the one meant by a PyTorch class name', () => {
    configError(() => createSchedule({ type: 'linear' }, ctx), 'unknown schedule type "linear"');
    const e = configError(() => createSchedule({ type: 'StepLR', stepSize: 1 }, ctx), 'unknown schedule type "StepLR"');
    assert.match(e.hint ?? '', /"step"/);
    configError(() => createSchedule({ type: 'one_cycle', maxLr: 1 }, ctx), 'one_cycle');
  });

  it('names the schedule and the missing required field', () => {
    const required: [string, string][] = [
      ['step', 'stepSize'],
      ['exponential', 'gamma'],
      ['cosine', 'tMax'],
      ['cosineWarmRestarts', 't0'],
      ['oneCycle', 'maxLr'],
      ['cyclic', 'maxLr'],
    ];
    for (const [type, field] of required) configError(() => createSchedule({ type }, ctx), `schedule "${type}"`, field, 'required');
  });

  it('rejects values of the wrong type', () => {
    const e = configError(() => createSchedule({ type: 'step', stepSize: 'abc' }, ctx));
    assert.equal(e.message, 'schedule "step": stepSize must be a positive integer, got "abc"');
    configError(() => createSchedule({ type: 'oneCycle', maxLr: 0.1, threePhase: 'yes' }, ctx), 'threePhase', 'true or false');
    configError(() => createSchedule({ type: 'exponential', gamma: '0.9' }, ctx), 'gamma', '"0.9"');
  });

  it('rejects out-of-range values', () => {
    const cases: [ScheduleSpec, string][] = [
      [{ type: 'step', stepSize: 1.5 }, 'stepSize'],
      [{ type: 'step', stepSize: 2, gamma: -1 }, 'gamma'],
      [{ type: 'cosine', tMax: 0 }, 'tMax'],
      [{ type: 'cosine', tMax: 5, etaMin: -0.1 }, 'etaMin'],
      [{ type: 'cosineWarmRestarts', t0: 3, tMult: 0 }, 'tMult'],
      [{ type: 'oneCycle', maxLr: 0.1, pctStart: 1.5 }, 'pctStart'],
      [{ type: 'oneCycle', maxLr: 0.1, anneal: 'cosine' }, 'anneal'],
      [{ type: 'oneCycle', maxLr: 0.1, threePhase: true, pctStart: 0.6 }, 'pctStart'],
      [{ type: 'oneCycle', maxLr: Number.NaN }, 'maxLr'],
      [{ type: 'cyclic', baseLr: 0.1, maxLr: 0.01 }, 'maxLr'],
      [{ type: 'cyclic', maxLr: 1, mode: 'triangle' }, 'mode'],
      [{ type: 'cyclic', maxLr: 1, stepSizeUp: 0 }, 'stepSizeUp'],
      [{ type: 'plateau', factor: 1 }, 'factor'], // PyTorch: "Factor should be < 1.0."
      [{ type: 'plateau', patience: -1 }, 'patience'],
      [{ type: 'plateau', mode: 'minimum' }, 'mode'],
      [{ type: 'plateau', thresholdMode: 'relative' }, 'thresholdMode'],
      [{ type: 'plateau', monitor: 'valLoss' }, 'monitor'],
    ];
    for (const [spec, field] of cases) configError(() => createSchedule(spec, ctx), `schedule "${spec.type}"`, field);
  });

  it('rejects a learning rate, epoch count or steps per epoch that cannot be scheduled', () => {
    configError(() => createSchedule({ type: 'step', stepSize: 1 }, { baseLr: -1, epochs: 1, stepsPerEpoch: 1 }), 'learning rate');
    configError(() => plannedLearningRates(undefined, { baseLr: 0.1, epochs: 1.5, stepsPerEpoch: 1 }), 'epochs', '1.5');
    configError(() => plannedLearningRates(undefined, { baseLr: 0.1, epochs: 1, stepsPerEpoch: Number.NaN }), 'steps per epoch');
  });

  it('rejects unknown fields and points from PyTorch names to ours', () => {
    const e = configError(() => createSchedule({ type: 'step', step_size: 3 }, ctx), 'schedule "step"', 'step_size');
    assert.match(e.hint ?? '', /"stepSize"/);
  });
});
