// Pause, step N, trace and resume, sent to the real forked trainer as the host sends them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BatchMessage, TrainerMessage } from '../../src/protocol/messages';
import { StepGate } from '../../src/trainer/stepGate';
import { fixture } from '../helpers/fixtures';
import { startTrainer } from '../helpers/trainerProcess';

const batchSteps = (ms: TrainerMessage[]) => ms.filter((m): m is BatchMessage => m.type === 'batch').map((b) => b.step);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('stepping a forked trainer', () => {
  it('pauses, runs exactly N steps on step N, traces the next step and pauses after it, resumes to the end', async () => {
    // tiny-mlp: 16 per batch; 16 000 samples make 1000 steps, far more than run before the pause lands.
    const run = startTrainer({ file: fixture('train/tiny-mlp.ts'), limit: 16_000, testLimit: 50, backend: 'cpu', epochs: 1 });
    try {
      await run.waitFor((m) => m.type === 'batch');
      run.child.send({ type: 'pause' });
      const paused = await run.waitFor((m) => m.type === 'paused');
      assert.equal(paused.type === 'paused' && paused.step, Math.max(...batchSteps(run.messages)));
      // Still paused a while later: no step ran, the process is alive.
      const before = batchSteps(run.messages).length;
      await sleep(1500);
      assert.equal(batchSteps(run.messages).length, before);
      assert.equal(run.child.exitCode, null);
      const at = paused.type === 'paused' ? paused.step : 0;

      run.child.send({ type: 'step', count: 3 });
      await run.waitFor((m) => m.type === 'paused' && m.step === at + 3);
      assert.deepEqual(batchSteps(run.messages).slice(-3), [at + 1, at + 2, at + 3]);

      run.child.send({ type: 'trace', step: null, sample: 2 });
      const trace = await run.waitFor((m) => m.type === 'trace');
      assert.ok(trace.type === 'trace' && trace.step === at + 4 && trace.sample === 2);
      await run.waitFor((m) => m.type === 'paused' && m.step === at + 4);
      await sleep(500);
      assert.equal(Math.max(...batchSteps(run.messages)), at + 4);

      run.child.send({ type: 'resume' });
      await run.waitFor((m) => m.type === 'resumed');
      const done = await run.waitFor((m) => m.type === 'done', 300_000);
      assert.equal(done.type === 'done' && done.reason, 'completed');
      assert.deepEqual(run.invalid, []);
    } finally {
      run.child.kill();
    }
  });

  it('stops while paused, at once, as a stopped run', async () => {
    const run = startTrainer({ file: fixture('train/tiny-mlp.ts'), limit: 16_000, testLimit: 50, backend: 'cpu', epochs: 1 });
    try {
      await run.waitFor((m) => m.type === 'batch');
      run.child.send({ type: 'pause' });
      await run.waitFor((m) => m.type === 'paused');
      run.child.send({ type: 'stop' });
      const done = await run.waitFor((m) => m.type === 'done', 30_000);
      assert.equal(done.type === 'done' && done.reason, 'stopped');
      assert.equal(await run.exited, 0);
    } finally {
      run.child.kill();
    }
  });

  it('ignores malformed step commands with a warning and keeps training', async () => {
    const run = startTrainer({ file: fixture('train/tiny-mlp.ts'), limit: 320, testLimit: 50, backend: 'cpu', epochs: 1 });
    try {
      await run.waitFor((m) => m.type === 'model');
      run.child.send({ type: 'step', count: 0 });
      run.child.send({ type: 'trace', step: 'next', sample: 0 });
      const done = await run.waitFor((m) => m.type === 'done', 120_000);
      assert.equal(done.type === 'done' && done.reason, 'completed');
      const warnings = run.messages.filter((m) => m.type === 'log' && m.level === 'warn');
      assert.equal(warnings.length, 2);
    } finally {
      run.child.kill();
    }
  });
});

describe('the step gate', () => {
  it('traces the step the user named, not an earlier one, and pauses only after it', () => {
    const gate = new StepGate();
    gate.command({ type: 'trace', step: 5, sample: 1 });
    assert.equal(gate.traceFor(4), null);
    gate.stepDone(4);
    assert.equal(gate.shouldWait(), false);
    assert.deepEqual(gate.traceFor(5), { step: 5, sample: 1 });
    gate.stepDone(5);
    assert.equal(gate.shouldWait(), true);
    assert.equal(gate.traceFor(6), null);
  });
});
