// Runs side by side: what each run contributes to the overlay and the table (metrics by name, three
// x axes, a long run thinned), the legend labels that tell runs apart, and the Runs tree's rows.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TrainerMessage } from '../../src/protocol/messages';
import { comparedRun, comparedRunCheck, distinctLabels, MAX_COMPARED_POINTS } from '../../src/protocol/runComparison';
import { emptyFigures, type RunHeader } from '../../src/runs/runHeader';
import type { RunEntry } from '../../src/runs/runStore';
import { durationText, runRowText } from '../../src/runs/runTree';
import { syntheticRun } from '../helpers/syntheticRun';
import { overlayCharts } from '../../webview/views/overlayCharts';

const meta = { runId: 'r1', label: 'mlp', file: 'mlp.ts', status: 'completed' };
const batches = (ms: TrainerMessage[]) => ms.flatMap((m) => (m.type === 'batch' ? [m] : []));

describe('a run compared with others', () => {
  it('keeps its loss, accuracy and learning rate by name over step, fractional epoch and wall time', () => {
    const messages = syntheticRun({ epochs: 2, stepsPerEpoch: 10, schedule: { type: 'cosine', tMax: 2 } });
    const c = comparedRun(meta, messages);
    const b = batches(messages);
    assert.deepEqual(c.steps.step, b.map((m) => m.step));
    assert.deepEqual(c.steps.metrics.loss, b.map((m) => m.metrics.loss));
    assert.deepEqual(c.steps.metrics.lr, b.map((m) => m.lr));
    assert.deepEqual(c.steps.epoch.slice(0, 2), [0.1, 0.2]);
    assert.equal(c.steps.epoch.at(-1), 2);
    assert.deepEqual(c.steps.elapsedSec, b.map((m) => m.elapsedSec));
    assert.equal(comparedRunCheck(c, 'run'), null, 'what the host posts passes the panel\'s check');
  });

  it('takes its results from the last evaluation and its parameters from the plan', () => {
    const messages = syntheticRun({ epochs: 3, stepsPerEpoch: 4, schedule: { type: 'step', stepSize: 1 } });
    const c = comparedRun(meta, messages);
    const evaluation = messages.filter((m) => m.type === 'evaluation').at(-1)!;
    assert.equal(c.results.test_accuracy, evaluation.type === 'evaluation' ? evaluation.test.accuracy : NaN);
    assert.equal(c.results.steps, 12);
    assert.equal(c.params.schedule, 'step');
    assert.equal(c.epochs.step.length, 3);
    assert.deepEqual(c.epochs.step, [4, 8, 12], 'epoch points sit at the step each epoch ended');
  });

  it('thins a long run to at most MAX_COMPARED_POINTS points, keeping the last step', () => {
    const messages = syntheticRun({ epochs: 1, stepsPerEpoch: 5 * MAX_COMPARED_POINTS + 3, gradientEvery: 1000 });
    const c = comparedRun(meta, messages);
    assert.ok(c.steps.step.length <= MAX_COMPARED_POINTS + 1, String(c.steps.step.length));
    assert.equal(c.steps.step.at(-1), 5 * MAX_COMPARED_POINTS + 3);
  });
});

describe('legend labels', () => {
  const run = (id: string, params: Record<string, string | number>, name = 'mlp') => ({ id, name, params });
  it('name each run by the first parameter that differs, schedule first', () => {
    assert.deepEqual(distinctLabels([run('a', { lr: 0.1, schedule: 'step' }), run('b', { lr: 0.012000000000000001, schedule: 'oneCycle' })]),
      ['mlp · step', 'mlp · oneCycle']);
  });
  it('add a second parameter, then the id, when that is not enough', () => {
    assert.deepEqual(distinctLabels([run('a', { schedule: 'step', lr: 0.1 }), run('b', { schedule: 'step', lr: 0.2 }), run('c', { schedule: 'cosine', lr: 0.1 })]),
      ['mlp · step · 0.1', 'mlp · step · 0.2', 'mlp · cosine · 0.1']);
    assert.deepEqual(distinctLabels([run('a', {}), run('b', {})]), ['mlp · a', 'mlp · b']);
  });
  it('are the names alone when those differ, with the schedule when the schedules differ', () => {
    assert.deepEqual(distinctLabels([run('a', { lr: 0.1 }, 'cnn'), run('b', { lr: 0.2 }, 'mlp')]), ['cnn', 'mlp']);
    assert.deepEqual(distinctLabels([run('a', { schedule: 'step' }, 'cnn'), run('b', { schedule: 'cosine' }, 'mlp')]), ['cnn · step', 'mlp · cosine']);
  });
});

describe('a row of the Runs tree', () => {
  const entry = (patch: Partial<RunHeader>): RunEntry => ({
    version: 2, id: '20250131-142501-mlp', file: 'mlp.ts', copy: 'mlp.ts', name: 'mlp', started: '2025-01-31T14:25:01.000Z', ended: null,
    status: 'completed', reason: null, pid: 1, host: 'h', backend: 'cpu', schedule: { type: 'cosine', tMax: 5 }, plan: null,
    figures: { ...emptyFigures(), steps: 20, batch: { loss: 0.1234 }, test: { accuracy: 0.9712 }, bestTest: { accuracy: 0.9712 }, elapsedSec: 65 }, dir: '/x', ...patch,
  });
  it('shows the status, test accuracy, loss, schedule and duration beside the start time', () => {
    const text = runRowText(entry({}), new Date('2025-06-01T00:00:00Z'));
    assert.equal(text.description, 'completed · test 97.1% · loss 0.123 · cosine · 1:05');
    assert.match(text.label, /^Jan 31 \d\d:\d\d$/);
  });
  it('shows an interrupted run as such, with its steps in the tooltip', () => {
    const text = runRowText(entry({ status: 'interrupted', figures: { ...emptyFigures(), steps: 47, elapsedSec: 3 } }));
    assert.match(text.description, /^interrupted · /);
    assert.match(text.tooltip, /\b47 steps\b/);
  });
  it('writes durations as m:ss or h:mm:ss', () => {
    assert.deepEqual([5, 65, 3600 + 62].map(durationText), ['0:05', '1:05', '1:01:02']);
  });
});

describe('the overlay\'s charts: one per named figure the runs have', () => {
  const scalars = (step: number, values: Record<string, number>): TrainerMessage => ({ type: 'scalars', step, values });
  /** A regression run: mae per batch, val and test figures per epoch, and a logged scalar. */
  function regression(): TrainerMessage[] {
    return syntheticRun({ epochs: 2, stepsPerEpoch: 3 }).flatMap((m): TrainerMessage[] => {
      if (m.type === 'batch') return [{ ...m, metrics: { loss: m.metrics.loss, mae: m.metrics.loss / 2 } }, scalars(m.step, { grad_scale: m.step })];
      if (m.type === 'epochEnd') return [{ ...m, metrics: { loss: 1, mae: 0.5 }, val: { loss: 1.1, mae: 0.6, r2: 0.3 }, test: { loss: 1.2, r2: 0.2 } }];
      if (m.type === 'evaluation') return [];
      return [m];
    });
  }

  it('keeps logged scalars by name at their steps, with the epoch and time of the batch before', () => {
    const c = comparedRun(meta, regression());
    assert.deepEqual(c.scalars.step, [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(c.scalars.metrics.grad_scale, [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(c.scalars.elapsedSec, c.steps.elapsedSec);
    assert.equal(comparedRunCheck(c, 'run'), null);
  });

  it('draws the batch figures, the rate, the validation and test figures and the scalars of all runs, each once', () => {
    const classifier = comparedRun({ ...meta, runId: 'r2' }, syntheticRun({ epochs: 1, stepsPerEpoch: 2 }));
    const charts = overlayCharts([comparedRun(meta, regression()), classifier]);
    assert.deepEqual(charts.map((c) => [c.metric, c.from]), [
      ['loss', 'steps'], ['accuracy', 'steps'], ['mae', 'steps'], ['lr', 'steps'],
      ['val_loss', 'epochs'], ['val_mae', 'epochs'], ['val_r2', 'epochs'],
      ['test_loss', 'epochs'], ['test_accuracy', 'epochs'], ['test_r2', 'epochs'],
      ['grad_scale', 'scalars'],
    ]);
    assert.equal(new Set(charts.map((c) => c.id)).size, charts.length, 'ids are unique');
    assert.deepEqual(charts.find((c) => c.metric === 'test_accuracy')?.clamp, [0, 1]);
    assert.equal(charts.find((c) => c.metric === 'val_mae')?.title, 'Validation MAE (epoch)');
  });

  it('leaves out a figure no run has a finite value of', () => {
    const run = comparedRun(meta, syntheticRun({ epochs: 1, stepsPerEpoch: 2 }));
    run.steps.metrics.mae = run.steps.step.map(() => null);
    assert.equal(overlayCharts([run]).some((c) => c.metric === 'mae'), false);
  });
});
