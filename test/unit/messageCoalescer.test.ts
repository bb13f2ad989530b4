// The one throttle on a run's messages (the trainer's IPC frames, the host's posts to the panel):
// messages coalesced per interval, urgent ones at once and in order; and the trainer's frames, as
// packed and as the host unpacks them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { MessageCoalescer } from '../../src/protocol/messageCoalescer';
import { checkTrainerFrame, checkTrainerMessage, MAX_FRAME_MESSAGES, trainerFrame } from '../../src/protocol/messageChecks';
import type { TrainerMessage } from '../../src/protocol/messages';

const log = (message: string): TrainerMessage => ({ type: 'log', level: 'info', message });
const batch = (step: number): TrainerMessage => ({ type: 'batch', epoch: 1, step, batch: step, metrics: { loss: 1, accuracy: 0 }, lr: 0.1, samplesPerSec: 1, elapsedSec: 0 });
const done: TrainerMessage = { type: 'done', stopped: false, reason: 'completed', steps: 3, elapsedSec: 1, savedTo: null };

function recorder() {
  const batches: TrainerMessage[][] = [];
  return { batches, deliver: (messages: TrainerMessage[]) => { batches.push(messages); } };
}

describe('MessageCoalescer', () => {
  it('sends the messages of one interval as one batch, in order', async () => {
    const { batches, deliver } = recorder();
    const outbox = new MessageCoalescer(deliver, 20);
    for (let i = 0; i < 5; i++) outbox.post(log(`m${i}`));
    assert.equal(batches.length, 0, 'nothing goes out while messages are being posted');
    await sleep(60);
    assert.equal(batches.length, 1);
    assert.deepEqual(batches[0].map((m) => (m as { message: string }).message), ['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('sends what is posted after a quiet interval before the event loop moves on (a trainer\'s next step cannot hold it back)', async () => {
    const { batches, deliver } = recorder();
    const outbox = new MessageCoalescer(deliver, 10_000);
    outbox.post(batch(1));
    outbox.post(log('the same step\'s figures'));
    assert.equal(batches.length, 0, 'not while the poster is still running');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(batches.map((b) => b.length), [2]);
    outbox.post(batch(2));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(batches.length, 1, 'within the interval the next batch waits for its end');
    outbox.discard();
  });

  it('coalesces a burst into at most one batch per interval, keeping every message in order', async () => {
    const { batches, deliver } = recorder();
    const outbox = new MessageCoalescer(deliver, 1000 / 20);
    const started = Date.now();
    for (let i = 1; i <= 200; i++) {
      outbox.post(batch(i));
      if (i % 20 === 0) await sleep(10);
    }
    await sleep(120);
    const seconds = (Date.now() - started) / 1000;
    assert.ok(batches.length <= Math.ceil(seconds * 20) + 1, `${batches.length} batches in ${seconds}s`);
    assert.deepEqual(batches.flat().map((m) => (m.type === 'batch' ? m.step : 0)), Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it('sends from post itself when the event loop is held past the interval (a synchronous training loop), still once per interval', () => {
    const { batches, deliver } = recorder();
    const outbox = new MessageCoalescer(deliver, 20);
    const started = Date.now();
    let step = 0;
    // Never yields: neither the timer nor a microtask can run until the loop ends.
    while (Date.now() - started < 200) {
      outbox.post(batch(++step));
      const t = Date.now();
      while (Date.now() - t < 1) { /* a step's work */ }
    }
    const seconds = (Date.now() - started) / 1000;
    assert.ok(batches.length >= 3, `only ${batches.length} batches went out during the loop`);
    assert.ok(batches.length <= Math.ceil(seconds / 0.02) + 1, `${batches.length} batches in ${seconds}s`);
    void outbox.flush();
    assert.deepEqual(batches.flat().map((m) => (m.type === 'batch' ? m.step : 0)), Array.from({ length: step }, (_, i) => i + 1));
  });

  it('sends an urgent message at once, after what was waiting', () => {
    const { batches, deliver } = recorder();
    const outbox = new MessageCoalescer(deliver, 10_000);
    outbox.post(log('a'));
    outbox.post(log('b'));
    outbox.post(done);
    assert.equal(batches.length, 1);
    assert.deepEqual(batches[0].map((m) => m.type), ['log', 'log', 'done']);
  });

  it('treats the model, errors and anomalies as urgent too, and batches and logs not', () => {
    const { batches, deliver } = recorder();
    const outbox = new MessageCoalescer(deliver, 10_000);
    outbox.post(batch(1));
    outbox.post(log('x'));
    assert.equal(batches.length, 0);
    outbox.post({ type: 'error', message: 'boom', location: null, hint: null });
    outbox.post({ type: 'anomaly', kind: 'nonFiniteLoss', epoch: 1, step: 2, layer: null, source: null, message: 'NaN' });
    outbox.post({ type: 'ready', backend: 'cpu', reason: 'asked', versions: { tfjs: '4', node: '20', modelLens: '0' } });
    assert.deepEqual(batches.map((b) => b.map((m) => m.type)), [['batch', 'log', 'error'], ['anomaly'], ['ready']]);
    outbox.discard();
  });

  it('flush() resolves once the batch is written', async () => {
    let written = false;
    const outbox = new MessageCoalescer(async () => { await sleep(10); written = true; }, 10_000);
    outbox.post(log('only'));
    await outbox.flush();
    assert.ok(written);
  });

  it('discard() drops what is waiting', async () => {
    const { batches, deliver } = recorder();
    const outbox = new MessageCoalescer(deliver, 10);
    outbox.post(log('stale'));
    outbox.discard();
    await sleep(40);
    assert.equal(batches.length, 0);
    outbox.post(log('fresh'));
    await outbox.flush();
    assert.deepEqual(batches.flat().map((m) => (m as { message: string }).message), ['fresh']);
  });
});

describe('trainer IPC frames', () => {
  it('packs a lone message as itself and several as an array', () => {
    assert.deepEqual(trainerFrame([log('x')]), log('x'));
    assert.deepEqual(trainerFrame([log('x'), done]), [log('x'), done]);
  });
  it('unpacks a frame of messages and names the invalid ones', () => {
    const frame = checkTrainerFrame([log('x'), { type: 'nonsense' }, done]);
    assert.deepEqual(frame.messages.map((m) => m.type), ['log', 'done']);
    assert.equal(frame.errors.length, 1);
    assert.match(frame.errors[0], /nonsense|type/);
  });
  it('takes a single message as a frame of one', () => {
    assert.deepEqual(checkTrainerFrame(log('x')).messages.map((m) => m.type), ['log']);
  });
  it('passes the build announcements the trainer makes for its parent, checked, and never as run messages', () => {
    const start = { type: 'build', running: 'model', location: { file: '/x.ts', line: 4, column: 3 } };
    const built = { type: 'build', running: null, location: null };
    assert.deepEqual(checkTrainerFrame([start, built]).messages, [start, built]);
    const bad = checkTrainerFrame({ type: 'build', running: 'training', location: null });
    assert.equal(bad.messages.length, 0);
    assert.match(bad.errors[0], /running must be one of "file", "model", "modelJson"/);
    assert.equal(checkTrainerMessage(start).ok, false, 'not a message of the run (the panel never gets one)');
  });
  it('refuses a frame over the limit', () => {
    const frame = checkTrainerFrame(Array.from({ length: MAX_FRAME_MESSAGES + 1 }, () => log('x')));
    assert.equal(frame.messages.length, 0);
    assert.match(frame.errors[0], /at most/);
  });
});
