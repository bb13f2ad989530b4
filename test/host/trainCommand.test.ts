// "Train Model" through the whole extension bundle in plain Node (stand-in VS Code window parts, the
// real trainer): what reaches the panel, the progress notification, the status bar and the output,
// and the event-loop delay the run caused in this host process, reported as the e2e test reports it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BatchSeries } from '../../src/protocol/runState';
import type { TrainerMessage } from '../../src/protocol/messages';
import { limitedMlp, trainThroughExtension } from '../helpers/hostRun';

describe('Train Model through the extension (plain Node host)', () => {
  it('relays every batch to the panel at ≤ 20 posts a second, with tqdm-like progress, the status bar and the probe report', async () => {
    const run = await trainThroughExtension(limitedMlp(2));
    assert.equal(run.reason, 'completed');
    const posts = run.record.posts.map((p) => JSON.parse(p) as { type: string; messages?: TrainerMessage[]; batches?: BatchSeries });
    // The panel said ready at once: a snapshot first (batch columns + other messages), then live posts.
    assert.equal(posts[0].type, 'snapshot');
    assert.ok(posts[0].batches, 'the snapshot carries batch columns');
    const live = posts.filter((p) => p.type === 'messages').flatMap((p) => p.messages ?? []);
    const snapshotBatches = posts[0].batches!.step;
    const steps = [...snapshotBatches, ...live.filter((m) => m.type === 'batch').map((m) => (m as { step: number }).step)];
    assert.deepEqual(steps, Array.from({ length: 60 }, (_, i) => i + 1), 'every step of 2 epochs × 30 batches, once, in order');
    assert.ok([...posts[0].messages ?? [], ...live].some((m) => m.type === 'model'), 'the model reached the panel');
    assert.equal(live[live.length - 1].type, 'done');
    // The relay's rate: 20 posts a second at most (the end of the run goes out at once).
    const postsPerSecond = (posts.length - 2) / run.seconds;
    assert.ok(postsPerSecond <= 20, `${postsPerSecond.toFixed(1)} posts/s over ${run.seconds.toFixed(1)} s`);
    for (const p of run.record.progress) assert.match(p, /^epoch [12]\/2 · batch \d+\/30 · loss \d+\.\d{4} · \d+\.\d it\/s$/);
    assert.ok(run.record.progress.length > 0, 'progress was reported');
    assert.ok(run.record.statusBar.some((t) => /^\$\(pulse\) loss \d+\.\d{4} · acc \d+\.\d%$/.test(t)), run.record.statusBar.join('\n'));
    assert.match(run.record.statusBar[run.record.statusBar.length - 1], /^\$\(check\) completed · loss \d+\.\d{4} · test acc \d+\.\d%$/);
    assert.match(run.probeLine, /^event-loop delay during the run: p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms; .*Model Lens's own work: .*trainer frames \d+×/);
    console.log(`host event-loop delay while training (plain Node, whole extension): ${run.probeLine}`);
  });
});
