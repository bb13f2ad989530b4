// Runs kept by the extension host and listed in the Model Lens view's Runs tree: the RunSession
// appends each frame as it arrives (a trainer killed with -9 leaves its run interrupted with its
// steps), and the whole extension bundle (stand-in VS Code, real trainer) lists the runs of its
// workspace, opens one in the panel from its folder (as after a reload) and keeps the last N.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunSession } from '../../src/host/runSession';
import type { RunsNode } from '../../src/host/runsTree';
import type { DoneMessage, TrainerMessage } from '../../src/protocol/messages';
import { readMessages } from '../../src/runs/messagesFile';
import { replayMessages } from '../../src/runs/runReplay';
import { RunStore } from '../../src/runs/runStore';
import { fakeVscodeHost, loadExtension } from '../helpers/fakeVscode';
import { fixture, ROOT } from '../helpers/fixtures';

const trainerPath = path.join(ROOT, 'dist', 'trainer.js');
const folders: string[] = [];
after(() => { for (const f of folders) fs.rmSync(f, { recursive: true, force: true }); });

/** A project folder (package.json) with a copy of a fixture experiment. */
function project(fixtureName: string, edit: (source: string) => string = (s) => s): { root: string; file: string; store: RunStore } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-host-runs-'));
  folders.push(root);
  fs.writeFileSync(path.join(root, 'package.json'), '{}');
  const file = path.join(root, path.basename(fixtureName));
  fs.writeFileSync(file, edit(fs.readFileSync(fixture(fixtureName), 'utf8')));
  return { root, file, store: new RunStore(path.join(root, '.model-lens', 'runs')) };
}

async function until(what: string, probe: () => boolean, output: string[] = [], timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${output.join('\n')}`);
    await sleep(50);
  }
}

/** The extension activated on a workspace folder, with its Runs tree. */
function extensionOn(root: string, settings: Record<string, unknown> = {}) {
  const host = fakeVscodeHost({ backend: 'cpu', ...settings });
  host.api.workspace.workspaceFolders = [{ uri: host.Uri.file(root), name: path.basename(root), index: 0 }];
  const subscriptions: { dispose(): void }[] = [];
  loadExtension(host.vscode).activate({ subscriptions, extensionPath: ROOT, extensionUri: host.Uri.file(ROOT) });
  const tree = host.trees.get('modelLens.runs') as { getChildren(n?: RunsNode): RunsNode[]; getTreeItem(n: RunsNode): { description?: string; label?: string; contextValue?: string; command?: { command: string } } };
  assert.ok(tree, 'the extension creates the Runs tree view');
  const snapshots = () => host.record.posts.map((p) => JSON.parse(p) as { type: string; runId?: string; file?: string; batches?: { step: number[] }; messages?: TrainerMessage[] })
    .filter((p) => p.type === 'snapshot');
  return { ...host, tree, snapshots, dispose: () => { for (const s of subscriptions) s.dispose(); } };
}

describe('the extension host keeps every training run', () => {
  it('appends each frame as it arrives: the folder holds every message the session received, in order', async () => {
    const { file, store } = project('train/frozen-spiral.ts');
    const recorder = store.create({ file });
    const session = new RunSession({ trainerPath, request: { file, backend: 'cpu', epochs: 1, runDir: recorder.dir }, recorder });
    const seen: TrainerMessage[] = [];
    session.on('message', (m) => {
      // Each message is on disk before anyone hears of it.
      const onDisk = readMessages(path.join(recorder.dir, 'messages.jsonl')).messages;
      assert.deepEqual(onDisk[seen.length], m);
      seen.push(m);
    });
    session.start();
    await new Promise<DoneMessage>((resolve) => session.once('end', resolve));
    assert.deepEqual(readMessages(path.join(recorder.dir, 'messages.jsonl')).messages, seen);
    const [entry] = store.list();
    assert.equal(entry.status, 'completed');
    assert.equal(entry.figures.steps, seen.filter((m) => m.type === 'batch').length);
    assert.equal(entry.backend, 'cpu');
  });

  it('leaves a run whose trainer was killed with -9 mid-epoch interrupted, with the steps it recorded', async () => {
    const { file, store } = project('train/tiny-mlp.ts');
    const recorder = store.create({ file });
    const session = new RunSession({ trainerPath, request: { file, backend: 'cpu', limit: 3200, testLimit: 50, runDir: recorder.dir }, recorder });
    let lastStep = 0;
    session.on('message', (m) => { if (m.type === 'batch') lastStep = m.step; });
    session.start();
    await until('step 5', () => lastStep >= 5);
    process.kill(session.pid!, 'SIGKILL');
    const done = await new Promise<DoneMessage>((resolve) => session.once('end', resolve));
    assert.equal(done.reason, 'error', 'the session reports the crash');
    const [entry] = store.list();
    assert.equal(entry.status, 'interrupted');
    assert.equal(entry.figures.steps, lastStep, 'every step the host received is kept');
    assert.ok(entry.figures.steps < 200, 'killed mid-epoch (200 steps an epoch)');
    // What its panel or report draws: every recorded step, then why it ends there.
    const replay = replayMessages(entry, store.read(entry.id).messages);
    const steps = replay.flatMap((m) => (m.type === 'batch' ? [m.step] : []));
    assert.deepEqual(steps, Array.from({ length: lastStep }, (_, i) => i + 1));
    const why = replay.flatMap((m) => (m.type === 'error' ? [m.message] : []));
    assert.match(why.join('\n'), new RegExp(`interrupted after step ${lastStep}\\b`));
  });
});

describe('the Runs tree of the Model Lens view', () => {
  it('lists a trained file with its run, its status and figures, and opens a run from its folder after a reload', async () => {
    const { root, file, store } = project('train/frozen-spiral.ts');
    const first = extensionOn(root);
    try {
      assert.deepEqual(first.tree.getChildren(), [], 'no runs yet');
      await first.registered.get('modelLens.train')!(first.Uri.file(file));
      await until('the run to end', () => first.record.output.some((l) => /run of frozen-spiral\.ts ended: completed/.test(l)), first.record.output);
    } finally {
      first.dispose();
    }
    const [entry] = store.list();
    assert.equal(entry.status, 'completed');

    // A new window on the same folder (a reload): the tree lists the run from its header.
    const second = extensionOn(root);
    try {
      const files = second.tree.getChildren();
      assert.equal(files.length, 1);
      assert.equal(files[0].kind === 'file' && files[0].group.file, 'frozen-spiral.ts');
      assert.match(second.tree.getTreeItem(files[0]).description ?? '', /^1 run\b/);
      const runs = second.tree.getChildren(files[0]);
      assert.equal(runs.length, 1);
      const item = second.tree.getTreeItem(runs[0]);
      assert.match(item.description ?? '', /^completed · .*loss /);
      assert.equal(item.contextValue, 'modelLens.run.completed');
      assert.equal(item.command?.command, 'modelLens.runs.open');

      await second.registered.get('modelLens.runs.open')!(runs[0]);
      await until('the panel to show the recorded run', () => second.snapshots().length > 0, second.record.output);
      const shown = second.snapshots().at(-1)!;
      assert.equal(shown.file, file);
      assert.equal(shown.batches?.step.length, entry.figures.steps, 'every recorded step is drawn');
      assert.ok(shown.messages?.some((m) => m.type === 'model') && shown.messages.some((m) => m.type === 'done'));
    } finally {
      second.dispose();
    }
  });

  it('keeps only the last N runs of a file with the modelLens.keepRuns setting', async () => {
    const { root, file, store } = project('train/frozen-spiral.ts');
    const host = extensionOn(root, { keepRuns: 2 });
    try {
      for (let n = 1; n <= 3; n++) {
        await host.registered.get('modelLens.train')!(host.Uri.file(file));
        await until(`run ${n} to end`, () => host.record.output.filter((l) => /run of frozen-spiral\.ts ended: completed/.test(l)).length === n, host.record.output);
      }
      await until('the last header to be final', () => store.list().every((e) => e.status === 'completed'));
      assert.equal(store.list().length, 2);
      const nodes = host.tree.getChildren();
      assert.equal(nodes[0].kind === 'file' && nodes[0].runs.length, 2);

      // Compare from the file's row: the panel gets both runs to overlay, after the first one's snapshot.
      const posts = host.record.posts.length;
      await host.registered.get('modelLens.runs.compare')!(nodes[0], [nodes[0]]);
      const compare = () => host.record.posts.slice(posts).map((p) => JSON.parse(p) as { type: string; runs?: { runId: string; steps: { step: number[] } }[] })
        .find((p) => p.type === 'compare');
      await until('the compare post', () => Boolean(compare()), host.record.output, 10_000);
      assert.deepEqual(compare()!.runs!.map((r) => r.runId).sort(), store.list().map((e) => e.id).sort());
      for (const r of compare()!.runs!) assert.equal(r.steps.step.length, store.list()[0].figures.steps);
    } finally {
      host.dispose();
    }
  });
});
