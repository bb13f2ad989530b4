// A script's training keeps the trainer's event loop turning: its figures go out while it trains and
// Stop is heard, also when nothing in the script ever waits for a timer (a plain fit, fitDataset or a
// loop of awaited trainOnBatch calls, none with callbacks of their own).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DoneMessage } from '../../src/protocol/messages';
import { fixture } from '../helpers/fixtures';
import { startTrainer } from '../helpers/trainerProcess';

/** The exit code, or a failure when the process has not exited within `ms`. */
function exitWithin(exited: Promise<number | null>, ms: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`the trainer did not exit within ${ms} ms of Stop`)), ms); });
  return Promise.race([exited, late]).finally(() => clearTimeout(timer));
}

describe("a script's training lets the trainer's event loop turn: live figures, and Stop heard by the trainer", () => {
  for (const how of ['fit', 'fitDataset', 'trainOnBatch']) {
    it(`${how} with no callbacks: batches arrive while it trains; Stop ends the run as stopped with its steps`, async () => {
      const run = startTrainer({ file: fixture('scripts/train-until-stopped.mjs'), backend: 'cpu', script: { args: [how] } });
      try {
        // The script never ends by itself: batches can only come while it trains.
        await run.waitFor((m) => m.type === 'batch' && m.step >= 20, 60_000);
        const seen = run.messages.filter((m) => m.type === 'batch').length;
        run.child.send({ type: 'stop' });
        // The trainer itself answers (the run's done, its code), not a kill from its parent.
        const code = await exitWithin(run.exited, 30_000);
        const done = run.messages.find((m): m is DoneMessage => m.type === 'done');
        assert.ok(done, 'a done message');
        assert.equal(done.reason, 'stopped');
        assert.ok(done.steps >= seen, `done says ${done.steps} steps, ${seen} batches were sent`);
        assert.equal(done.steps, run.messages.filter((m) => m.type === 'batch').length);
        assert.equal(code, 130);
      } finally {
        run.child.kill('SIGKILL');
      }
    });
  }
});
