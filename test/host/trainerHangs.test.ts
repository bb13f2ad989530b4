// The extension host's side of user code that hangs: a run session times the build out and reports
// it at the model() line, Stop ends a trainer stuck in model(), and a newer inspection of a changed
// file kills the older one instead of waiting behind it. Hang limits are generous; no speed asserted.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DoneMessage } from '../../src/protocol/messages';
import { FileInspections } from '../../src/host/fileInspections';
import { RunSession } from '../../src/host/runSession';
import { fixture, lineOf, ROOT } from '../helpers/fixtures';
import { eventually, isRunning, killIfRunning } from '../helpers/processes';

const trainerPath = path.join(ROOT, 'dist', 'trainer.js');
const HANG_LIMIT_MS = 30_000;
const leftovers: (number | undefined)[] = [];
after(() => killIfRunning(...leftovers));

/** The run's done, or 'still running' once the hang limit has passed. */
function endWithin(session: RunSession, ms = HANG_LIMIT_MS): Promise<DoneMessage | 'still running'> {
  if (!session.running) return Promise.resolve(session.state.done ?? 'still running');
  return Promise.race([
    new Promise<DoneMessage>((resolve) => session.once('end', resolve)),
    new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), ms).unref()),
  ]);
}

/** A session whose model() has started to loop (it wrote its pid), with that pid. */
async function loopingSession(options: { buildTimeoutSec?: number; stopGraceMs?: number; inspect?: boolean }): Promise<{ session: RunSession; pid: number }> {
  const pidFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ml-pid-')), 'trainer.pid');
  const session = new RunSession({
    trainerPath, request: { file: fixture('hang/model-loops.ts'), backend: 'cpu', inspect: options.inspect },
    buildTimeoutSec: options.buildTimeoutSec ?? 600, stopGraceMs: options.stopGraceMs, env: { MODEL_LENS_TEST_PID_FILE: pidFile },
  });
  session.start();
  leftovers.push(session.pid);
  assert.ok(await eventually(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8') !== '', HANG_LIMIT_MS * 2), 'model() never ran');
  return { session, pid: Number(fs.readFileSync(pidFile, 'utf8')) };
}

describe('a run session whose model() never returns', () => {
  it('reports the build timeout at the model() line, naming the setting, and ends the trainer', async () => {
    const { session, pid } = await loopingSession({ buildTimeoutSec: 2 });
    const done = await endWithin(session);
    assert.notEqual(done, 'still running');
    assert.equal((done as DoneMessage).reason, 'error');
    const error = session.state.error!;
    const file = fixture('hang/model-loops.ts');
    assert.equal(error.message, 'model() did not return within 2 s');
    assert.deepEqual(error.location, { file, line: lineOf(file, 'model:'), column: 3 });
    assert.match(error.hint ?? '', /raise the modelLens\.buildTimeoutSeconds setting/);
    assert.equal(await eventually(() => !isRunning(pid), 5000), true, `trainer ${pid} still running`);
  });

  it('is ended by Stop, though it cannot read the stop request', async () => {
    const { session, pid } = await loopingSession({ stopGraceMs: 3000 });
    session.stop();
    const done = await endWithin(session);
    assert.notEqual(done, 'still running');
    assert.equal((done as DoneMessage).reason, 'stopped');
    assert.equal(session.state.error, null);
    assert.equal(await eventually(() => !isRunning(pid), 5000), true, `trainer ${pid} still running`);
  });
});

describe('inspections of one file', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-inspect-'));
  const file = path.join(folder, 'experiment.ts');
  const looping = fs.readFileSync(fixture('hang/model-loops.ts'), 'utf8').replace("from './reportPid'", `from ${JSON.stringify(fixture('hang/reportPid'))}`);
  const fixed = `import * as tf from '@tensorflow/tfjs';
export default {
  model: () => tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2], name: 'only' })] }),
};
`;
  const pidFile = path.join(folder, 'trainer.pid');
  const sessions: RunSession[] = [];
  const inspections = new FileInspections((f) => {
    const session = new RunSession({ trainerPath, request: { file: f, inspect: true, backend: 'cpu' }, buildTimeoutSec: 600, env: { MODEL_LENS_TEST_PID_FILE: pidFile } });
    sessions.push(session);
    session.start();
    leftovers.push(session.pid);
    return session;
  });
  after(() => inspections.dispose());

  it('share the running one while the file is unchanged', () => {
    fs.writeFileSync(file, looping);
    const first = inspections.request(file);
    const again = inspections.request(file);
    assert.equal(first.started, true);
    assert.equal(again.started, false);
    assert.equal(again.session, first.session);
    assert.equal(sessions.length, 1);
  });

  it('kill a hung one when the file changed, and the new one answers', async () => {
    const hung = inspections.latest(file)!;
    assert.ok(await eventually(() => fs.existsSync(pidFile), HANG_LIMIT_MS * 2), 'model() never ran');
    const hungPid = Number(fs.readFileSync(pidFile, 'utf8'));
    fs.writeFileSync(file, fixed);
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000)); // a later mtime even on a coarse clock
    const next = inspections.request(file);
    assert.equal(next.started, true);
    assert.notEqual(next.session, hung);
    assert.equal(hung.running, false);
    assert.equal(hung.state.done?.reason, 'stopped');
    assert.equal(await eventually(() => !isRunning(hungPid), 5000), true, `the older inspection's trainer ${hungPid} still running`);
    const done = await endWithin(next.session);
    assert.notEqual(done, 'still running');
    assert.equal((done as DoneMessage).reason, 'inspected');
    assert.equal(next.session.state.model?.summary.totals.totalParams, 2 * 3 + 3);
  });
});
