// The fork wrapper (src/trainerProcess) against small stand-in trainers: what it makes of a trainer
// that hangs building, ignores Stop, dies, lingers after its done, or sends what fails its checks.
// Every run ends with exactly one done, last; the process is gone afterwards.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DoneMessage, TrainerMessage } from '../../src/protocol/messages';
import { TrainerProcess, type MessageSource, type TrainerProcessOptions } from '../../src/trainerProcess/trainerProcess';
import { isRunning, killIfRunning } from '../helpers/processes';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-fake-trainer-'));
const started: (number | undefined)[] = [];
after(() => killIfRunning(...started));

/** A stand-in trainer: `onStart` is the body run when the start command comes (`send` writes a frame). */
function fakeTrainer(name: string, onStart: string): string {
  const file = path.join(folder, `${name}.js`);
  fs.writeFileSync(file, `const send = (m) => new Promise((r) => process.send(m, undefined, {}, r));
process.on('message', async (m) => { if (m.type !== 'start') return; ${onStart} });
`);
  return file;
}

interface Outcome {
  messages: [TrainerMessage, MessageSource][];
  pid: number;
}

/** Runs the wrapper to its exit (`act` runs once the process has started). */
function run(trainerPath: string, options: Partial<TrainerProcessOptions> = {}, act?: (t: TrainerProcess) => void): Promise<Outcome> {
  const trainer = new TrainerProcess({ trainerPath, request: { file: '/x/experiment.ts' }, ...options });
  const messages: Outcome['messages'] = [];
  trainer.on('message', (m, source) => messages.push([m, source]));
  const exited = new Promise<Outcome>((resolve) => trainer.on('exit', () => resolve({ messages, pid: trainer.pid! })));
  trainer.start();
  started.push(trainer.pid);
  act?.(trainer);
  return exited;
}

const types = (o: Outcome) => o.messages.map(([m]) => m.type);
const doneOf = (o: Outcome): DoneMessage => {
  const last = o.messages.at(-1)![0];
  assert.equal(last.type, 'done');
  return last as DoneMessage;
};

describe('the trainer process wrapper', () => {
  it('times out each build step with its own wording, at the announced place, naming the setting, and kills the trainer', async () => {
    const cases = [
      { running: 'model', location: { file: '/x/experiment.ts', line: 6, column: 3 }, says: 'model() did not return within 1 s' },
      { running: 'file', location: { file: '/x/experiment.ts', line: 1, column: 1 }, says: "the experiment file's top-level code did not finish within 1 s" },
      { running: 'modelJson', location: { file: '/x/model.json', line: 1, column: 1 }, says: 'the model.json did not load within 1 s' },
    ];
    for (const c of cases) {
      const trainer = fakeTrainer(`hangs-${c.running}`, `await send({ type: 'build', running: '${c.running}', location: ${JSON.stringify(c.location)} }); for (;;) {}`);
      const outcome = await run(trainer, { buildTimeoutSec: 1, buildTimeoutSetting: 'THE SETTING' });
      assert.deepEqual(types(outcome), ['error', 'done']);
      const [error, source] = outcome.messages[0];
      assert.equal(source, 'timeout');
      assert.ok(error.type === 'error');
      assert.equal(error.message, c.says);
      assert.deepEqual(error.location, c.location);
      assert.match(error.hint ?? '', /raise THE SETTING\.$/);
      assert.equal(doneOf(outcome).reason, 'error');
      assert.equal(isRunning(outcome.pid), false);
    }
  });

  it('gives no time limit once the build has ended', async () => {
    const trainer = fakeTrainer('slow-after-build', `await send({ type: 'build', running: 'model', location: null });
await send({ type: 'build', running: null, location: null });
setTimeout(() => send({ type: 'done', stopped: false, reason: 'completed', steps: 0, elapsedSec: 2, savedTo: null }).then(() => process.exit(0)), 2000);`);
    const outcome = await run(trainer, { buildTimeoutSec: 1 });
    assert.deepEqual(types(outcome), ['done']);
    assert.equal(doneOf(outcome).reason, 'completed');
  });

  it('kills a trainer that does not stop within the grace period, and the run ends as stopped', { timeout: 60_000 }, async () => {
    const trainer = fakeTrainer('ignores-stop', `await send({ type: 'batch', epoch: 1, step: 4, batch: 4, metrics: { loss: 1, accuracy: 0.5 }, lr: 0.1, samplesPerSec: 1, elapsedSec: 3 }); setInterval(() => undefined, 1000);`);
    const outcome = await run(trainer, { stopGraceMs: 500 }, (t) => t.once('message', () => t.stop()));
    assert.deepEqual(types(outcome), ['batch', 'done']);
    const done = doneOf(outcome);
    assert.deepEqual({ reason: done.reason, stopped: done.stopped, steps: done.steps, elapsedSec: done.elapsedSec }, { reason: 'stopped', stopped: true, steps: 4, elapsedSec: 3 });
    assert.equal(outcome.messages.at(-1)![1], 'stop');
  });

  it('turns a trainer that dies into an error with the end of its stderr', async () => {
    const trainer = fakeTrainer('dies', `process.stderr.write('out of patience\\n'); process.exit(3);`);
    const outcome = await run(trainer, { crashHint: 'Look at the log.' });
    assert.deepEqual(types(outcome), ['error', 'done']);
    const [error, source] = outcome.messages[0];
    assert.equal(source, 'crash');
    assert.ok(error.type === 'error');
    assert.equal(error.message, 'the trainer process exited with code 3 before finishing: out of patience');
    assert.equal(error.hint, 'Look at the log.');
  });

  it('passes the trainer\'s own done last, and kills a trainer that lingers after it', async () => {
    const trainer = fakeTrainer('lingers', `await send([{ type: 'log', level: 'info', message: 'hi' }, { type: 'done', stopped: false, reason: 'inspected', steps: 0, elapsedSec: 0, savedTo: null }]); setInterval(() => undefined, 1000);`);
    const outcome = await run(trainer);
    assert.deepEqual(types(outcome), ['log', 'done']);
    assert.deepEqual(outcome.messages.map(([, s]) => s), ['trainer', 'trainer']);
    assert.equal(isRunning(outcome.pid), false);
  });

  it('drops what fails the message checks, with a line in the log, and keeps the rest', async () => {
    const trainer = fakeTrainer('garbles', `await send([{ type: 'batch', step: 'three' }, { type: 'done', stopped: false, reason: 'completed', steps: 0, elapsedSec: 0, savedTo: null }]); process.exit(0);`);
    const logged: string[] = [];
    const outcome = await run(trainer, { log: (l) => logged.push(l) });
    assert.deepEqual(types(outcome), ['done']);
    assert.equal(logged.length, 1);
    assert.match(logged[0], /ignored a message from the trainer: trainer message: batch\.epoch must be an integer/);
  });
});
