// The trainer's IPC frames: messages bundled per interval, urgent ones at once and in order, and the
// host's frame check that unpacks them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkTrainerFrame, MAX_FRAME_MESSAGES } from '../../src/protocol/messageChecks';
import type { TrainerMessage } from '../../src/protocol/messages';
import { MessageBundler } from '../../src/trainer/messageBundler';

const log = (message: string): TrainerMessage => ({ type: 'log', level: 'info', message });
const done: TrainerMessage = { type: 'done', stopped: false, reason: 'completed', steps: 3, elapsedSec: 1, savedTo: null };

function recorder() {
  const frames: (TrainerMessage | TrainerMessage[])[] = [];
  const send = async (frame: TrainerMessage | TrainerMessage[]) => { frames.push(frame); };
  return { frames, send };
}

describe('MessageBundler', () => {
  it('sends the messages of one interval as one frame, in order', async () => {
    const { frames, send } = recorder();
    const bundler = new MessageBundler(send, 20);
    for (let i = 0; i < 5; i++) bundler.post(log(`m${i}`));
    assert.equal(frames.length, 0, 'nothing goes out before the interval');
    await sleep(60);
    assert.equal(frames.length, 1);
    assert.deepEqual((frames[0] as TrainerMessage[]).map((m) => (m as { message: string }).message), ['m0', 'm1', 'm2', 'm3', 'm4']);
  });
  it('sends an urgent message at once, after what was waiting', () => {
    const { frames, send } = recorder();
    const bundler = new MessageBundler(send, 10_000);
    bundler.post(log('a'));
    bundler.post(log('b'));
    bundler.post(done);
    assert.equal(frames.length, 1);
    assert.deepEqual((frames[0] as TrainerMessage[]).map((m) => m.type), ['log', 'log', 'done']);
  });
  it('sends a lone message as itself, and flush() waits for the write', async () => {
    let written = false;
    const bundler = new MessageBundler(async (frame) => { await sleep(10); written = true; assert.equal(Array.isArray(frame), false); }, 10_000);
    bundler.post(log('only'));
    await bundler.flush();
    assert.ok(written);
  });
});

describe('checkTrainerFrame', () => {
  it('unpacks a frame of messages and names the invalid ones', () => {
    const frame = checkTrainerFrame([log('x'), { type: 'nonsense' }, done]);
    assert.deepEqual(frame.messages.map((m) => m.type), ['log', 'done']);
    assert.equal(frame.errors.length, 1);
    assert.match(frame.errors[0], /nonsense|type/);
  });
  it('takes a single message as a frame of one', () => {
    assert.deepEqual(checkTrainerFrame(log('x')).messages.map((m) => m.type), ['log']);
  });
  it('refuses a frame over the limit', () => {
    const frame = checkTrainerFrame(Array.from({ length: MAX_FRAME_MESSAGES + 1 }, () => log('x')));
    assert.equal(frame.messages.length, 0);
    assert.match(frame.errors[0], /at most/);
  });
});
