// "Train Model" through the whole extension bundle in plain Node (stand-in VS Code window parts, the
// real trainer): what reaches the panel — including after its page is torn down and comes back
// mid-run — the progress notification, the status bar and the output, and the event-loop delay the
// run caused in this host process, reported as the e2e test reports it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { URGENT_MESSAGE_TYPES } from '../../src/protocol/messageCoalescer';
import type { BatchSeries } from '../../src/protocol/runState';
import type { TrainerMessage } from '../../src/protocol/messages';
import { limitedMlp, trainThroughExtension } from '../helpers/hostRun';

type Post = { type: string; messages?: TrainerMessage[]; batches?: BatchSeries };
const batchSteps = (messages: TrainerMessage[]) => messages.flatMap((m) => (m.type === 'batch' ? [m.step] : []));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('Train Model through the extension (plain Node host)', () => {
  it('relays every batch to the panel at ≤ 20 posts a second, with tqdm-like progress, the status bar and the probe report', async () => {
    const run = await trainThroughExtension(limitedMlp(4), { hidePanelAtStep: 20, settings: { progressNotification: true } });
    assert.equal(run.reason, 'completed');
    const posts = run.record.posts.map((p) => JSON.parse(p) as Post);
    const snapshots = posts.flatMap((p, i) => (p.type === 'snapshot' ? [i] : []));
    assert.equal(snapshots.length, 2, 'a snapshot when the page loaded, another when it came back');
    assert.equal(snapshots[0], 0);
    // Before the page went away: the first snapshot and live posts, every step from 1, in order.
    const before = posts.slice(0, snapshots[1]);
    const early = [...before[0].batches!.step, ...batchSteps(before.flatMap((p) => p.messages ?? []))];
    assert.deepEqual(early, range(1, early.length));
    assert.ok(early.length >= 20, `${early.length} steps before the page went away`);
    // The page came back: a snapshot of the batch columns (not messages) up to some step, then live posts for the rest.
    const again = posts[snapshots[1]];
    assert.ok(again.batches && again.batches.step.length >= 20, 'the second snapshot carries the batch columns so far');
    assert.deepEqual(batchSteps(again.messages ?? []), [], 'batches travel as columns, not messages');
    assert.ok(again.messages!.some((m) => m.type === 'model'), 'the model is in the snapshot');
    const live = posts.slice(snapshots[1] + 1).flatMap((p) => p.messages ?? []);
    assert.deepEqual([...again.batches!.step, ...batchSteps(live)], range(1, 120), 'every step of 4 epochs × 30 batches, once, in order');
    const afterBack = [...again.messages!, ...live];
    assert.equal(afterBack[afterBack.length - 1].type, 'done');
    // The outbox's rate: consecutive live posts ≥ 50 ms apart (20 a second), but urgent messages (the model, the end of the run) at once.
    const { postedAt } = run.record;
    for (let i = 1; i < posts.length; i++) {
      const urgent = posts[i].messages?.some((m) => URGENT_MESSAGE_TYPES.has(m.type));
      if (posts[i].type === 'messages' && posts[i - 1].type === 'messages' && !urgent) {
        assert.ok(postedAt[i] - postedAt[i - 1] >= 45, `posts ${i - 1} and ${i} only ${(postedAt[i] - postedAt[i - 1]).toFixed(1)} ms apart`);
      }
    }
    for (const p of run.record.progress) assert.match(p, /^epoch [1-4]\/4 · batch \d+\/30 · batch loss \d+(\.\d+)? · acc \d+(\.\d+)?% · \d+\.\d it\/s$/);
    assert.ok(run.record.progress.length > 0, 'progress was reported');
    assert.ok(run.record.statusBar.some((t) => /^\$\(pulse\) \d+% · epoch [1-4]\/4 · batch loss \S+ · acc \S+%$/.test(t)), run.record.statusBar.join('\n'));
    assert.match(run.record.statusBar[run.record.statusBar.length - 1], /^\$\(check\) completed · epoch mean loss \S+ · acc \S+% · test loss \S+ · acc \S+%$/);
    assert.match(run.probeLine, /^event-loop delay during the run: p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms; .*Model Lens's own work: .*trainer frames \d+×/);
    console.log(`host event-loop delay while training (plain Node, whole extension): ${run.probeLine}`);
  });

  it('shows progress in the status bar and no notification unless modelLens.progressNotification is on', async () => {
    const run = await trainThroughExtension(limitedMlp(1));
    assert.equal(run.reason, 'completed');
    assert.deepEqual(run.record.progress, [], 'no notification by default');
    assert.ok(run.record.statusBar.some((t) => /^\$\(pulse\) \d+% · epoch 1\/1 · /.test(t)), run.record.statusBar.join('\n'));
  });
});
