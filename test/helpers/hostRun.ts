// A training run driven through the whole extension bundle (dist/extension.js) in plain Node: the
// "Train Model" command, the forked trainer, the relay to a stand-in webview, progress, status bar
// and output, as in VS Code's extension host (test/helpers/fakeVscode.ts). Used by the host test and
// by `npm run bench -- host`, which report the extension's own event-loop figures from it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fakeVscodeHost, loadExtension, type HostRecord } from './fakeVscode';
import { example, ROOT } from './fixtures';

/** The course MLP limited as the VS Code e2e test runs it: 480 samples, batch 16, many short epochs. */
export function limitedMlp(epochs: number): string {
  let source = fs.readFileSync(example('mnist-mlp.ts'), 'utf8');
  for (const [from, to] of [
    ["data: { dataset: 'mnist', normalize: { mean: 0.5, std: 0.5 } },", "data: { dataset: 'mnist', normalize: { mean: 0.5, std: 0.5 }, limit: 480, testLimit: 300 },"],
    ['epochs: 5,', `epochs: ${epochs},`],
    ['batchSize: 128,', 'batchSize: 16,'],
  ]) {
    if (!source.includes(from)) throw new Error(`examples/mnist-mlp.ts no longer has \`${from}\`: update limitedMlp`);
    source = source.replace(from, to);
  }
  return source;
}

export interface HostRun {
  record: HostRecord;
  /** The responsiveness probe's line from the output channel. */
  probeLine: string;
  /** How the run ended, from the output channel ("completed", "stopped", …). */
  reason: string;
  /** From the Train command to the end of the run. */
  seconds: number;
}

/** Writes `source` into a fresh folder (no node_modules), trains it through the extension, and stops it after `stopAfterMs` if given. */
export async function trainThroughExtension(source: string, options: {
  stopAfterMs?: number; timeoutMs?: number; settings?: Record<string, unknown>;
  /** Hide and show the panel (its page reloads and asks for a snapshot) once a post holds this step. */
  hidePanelAtStep?: number;
} = {}): Promise<HostRun> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'model-lens-host-'));
  const file = path.join(folder, 'experiment.ts');
  fs.writeFileSync(file, source);
  const { vscode, registered, record, Uri, hideAndShowPanel } = fakeVscodeHost(options.settings);
  const subscriptions: { dispose(): void }[] = [];
  loadExtension(vscode).activate({ subscriptions, extensionPath: ROOT, extensionUri: Uri.file(ROOT) });
  const started = performance.now();
  try {
    await registered.get('modelLens.train')!(Uri.file(file));
    const stopAt = options.stopAfterMs === undefined ? Infinity : started + options.stopAfterMs;
    const deadline = started + (options.timeoutMs ?? 120_000);
    let stopped = false;
    let hidden = options.hidePanelAtStep === undefined;
    let seenPosts = 0;
    let hiddenAtPost = Infinity;
    const shownAgain = () => hiddenAtPost === Infinity || record.posts.slice(hiddenAtPost).some((p) => p.startsWith('{"type":"snapshot"'));
    for (;;) {
      for (; !hidden && seenPosts < record.posts.length; seenPosts++) {
        const post = JSON.parse(record.posts[seenPosts]) as { messages?: { type: string; step?: number }[] };
        if (post.messages?.some((m) => m.type === 'batch' && (m.step ?? 0) >= options.hidePanelAtStep!)) { hidden = true; hiddenAtPost = record.posts.length; hideAndShowPanel(); }
      }
      const ended = record.output.map((l) => / run of experiment\.ts ended: (\w+)/.exec(l)).find(Boolean);
      const probeLine = record.output.find((l) => l.startsWith('[host] event-loop delay during the run'));
      if (ended && probeLine && shownAgain()) return { record, probeLine: probeLine.replace(/^\[host\] /, ''), reason: ended[1], seconds: (performance.now() - started) / 1000 };
      if (!stopped && performance.now() > stopAt) { stopped = true; await registered.get('modelLens.stop')!(); }
      if (performance.now() > deadline) throw new Error(`the run did not end in time; output:\n${record.output.join('\n')}`);
      await sleep(50);
    }
  } finally {
    for (const s of subscriptions) s.dispose();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}
