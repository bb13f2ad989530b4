// What the learning-rate chart says of a schedule: how often it steps (as PyTorch's schedulers do)
// and where reduce-on-plateau cut the rate.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SCHEDULE_TYPES } from '../../src/protocol/experimentSchema';
import type { ScheduleSpec } from '../../src/protocol/experimentSpec';
import { plateauCuts, scheduleStepsPer, scheduleStepsText } from '../../src/protocol/scheduleFacts';

const spec = (type: string) => ({ type }) as ScheduleSpec;

describe('schedule facts: how often the rate steps', () => {
  it('oneCycle and cyclic step per batch; step, exponential, cosine, warm restarts and plateau per epoch', () => {
    for (const t of ['oneCycle', 'cyclic']) assert.equal(scheduleStepsPer(spec(t)), 'batch', t);
    for (const t of ['step', 'exponential', 'cosine', 'cosineWarmRestarts', 'plateau']) assert.equal(scheduleStepsPer(spec(t)), 'epoch', t);
  });
  it('every schedule type the experiment schema knows is placed', () => {
    for (const t of SCHEDULE_TYPES) assert.notEqual(scheduleStepsPer(spec(t)), undefined, t);
  });
  it('a run without a schedule has a constant rate', () => {
    assert.equal(scheduleStepsPer(null), null);
    assert.equal(scheduleStepsText(null), 'constant rate');
    assert.equal(scheduleStepsText(spec('cosine')), 'cosine: the rate steps once per epoch');
  });
});

describe('schedule facts: plateau cuts', () => {
  const columns = { step: [1, 2, 3, 4, 5, 6], epoch: [1, 1, 2, 2, 3, 3], lr: [0.1, 0.1, 0.05, 0.05, 0.05, 0.05] };
  it('finds the first step of each epoch that trained at a lower rate than the batch before', () => {
    assert.deepEqual(plateauCuts(spec('plateau'), columns), [{ step: 3, afterEpoch: 1, from: 0.1, to: 0.05 }]);
  });
  it('marks nothing for other schedules, whose falls are their plan', () => {
    assert.deepEqual(plateauCuts(spec('step'), columns), []);
    assert.deepEqual(plateauCuts(null, columns), []);
  });
});
