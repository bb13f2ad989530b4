import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DoneMessage, TrainerMessage } from '../../src/protocol/messages';
import { RunSession } from '../../src/host/runSession';
import { fixture, ROOT } from '../helpers/fixtures';

const trainerPath = path.join(ROOT, 'dist', 'trainer.js');
const ended = (s: RunSession) => new Promise<DoneMessage>((resolve) => s.once('end', resolve));

describe('a script run in the extension host (Run Script with Model Lens)', () => {
  it("runs the script in the folder it is given, its output to the log, its model and fit in the run's state", async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-host-script-'));
    const lines: string[] = [];
    const session = new RunSession({
      trainerPath, cwd, log: (line) => lines.push(line),
      request: { file: fixture('scripts/fit-functional.ts'), backend: 'cpu', script: { args: [] } },
    });
    const seen: TrainerMessage[] = [];
    session.on('message', (m) => seen.push(m));
    session.start();
    const done = await ended(session);
    assert.equal(done.reason, 'completed');
    assert.equal(session.state.status, 'completed');
    assert.deepEqual(session.state.model?.graph.nodes.filter((n) => n.kind === 'layer').map((n) => n.name), ['hidden', 'out']);
    assert.equal(session.state.batches.step.length, 15);
    assert.ok(lines.some((l) => l.includes(`cwd ${fs.realpathSync(cwd)}`)), lines.join('\n'));
    assert.ok(lines.some((l) => /epoch 3 loss/.test(l)));
  });

  it('Stop ends a script that would run on, as stopped', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-host-script-'));
    const file = path.join(dir, 'forever.mjs');
    fs.writeFileSync(file, "import * as tf from '@tensorflow/tfjs';\nsetInterval(() => tf.tidy(() => tf.ones([2]).sum()), 10);\n");
    const session = new RunSession({ trainerPath, cwd: dir, stopGraceMs: 2000, request: { file, backend: 'cpu', script: { args: [] } } });
    const readyOrDone = new Promise<void>((resolve) => session.on('message', (m) => { if (m.type === 'ready' || m.type === 'done') resolve(); }));
    session.start();
    await readyOrDone;
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(session.running, true, 'the script keeps running until stopped');
    session.stop();
    const done = await ended(session);
    assert.equal(done.reason, 'stopped');
  });
});
