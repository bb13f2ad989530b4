// metrics.csv: a row per batch, a column per named figure the run had (vocabulary order, then
// custom metrics), empty where a batch lacks it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TrainerMessage } from '../../src/protocol/messages';
import { runStateFrom } from '../../src/protocol/runState';
import { metricsCsv } from '../../src/runs/metricsCsv';

const batch = (step: number, metrics: Record<string, number>): TrainerMessage => ({
  type: 'batch', epoch: 1, step, batch: step, metrics, lr: 0.1, samplesPerSec: 100, elapsedSec: step / 10,
});

describe('metrics.csv', () => {
  it('has a column per named figure, the vocabulary\'s first, and empty cells where a batch lacks one', () => {
    const csv = metricsCsv(runStateFrom([batch(1, { myMetric: 3, mae: 0.5, loss: 1 }), batch(2, { loss: 0.8, r2: 0.1 })]).batches);
    assert.equal(csv, [
      'step,epoch,batch,loss,mae,r2,myMetric,lr,samples_per_sec,elapsed_sec',
      '1,1,1,1,0.5,,3,0.1,100,0.1',
      '2,1,2,0.8,,0.1,,0.1,100,0.2',
      '',
    ].join('\n'));
  });

  it('writes tfjs\'s names under the vocabulary\'s', () => {
    const header = metricsCsv(runStateFrom([batch(1, { loss: 1, acc: 0.5 })]).batches).split('\n')[0];
    assert.equal(header, 'step,epoch,batch,loss,accuracy,lr,samples_per_sec,elapsed_sec');
  });
});
