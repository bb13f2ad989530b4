// `npm run bench -- host`: what the extension costs VS Code. Activation time of dist/extension.js
// (require + activate, with a stand-in vscode module), its size (and that it holds no tfjs), the
// VSIX's size, and the event-loop delay of a host process while Train Model runs through the whole
// extension (test/helpers/hostRun.ts), as the extension's own probe reports it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fakeVscode, loadExtension } from '../test/helpers/fakeVscode';
import { limitedMlp, trainThroughExtension } from '../test/helpers/hostRun';
import { ROOT } from '../test/helpers/fixtures';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function hostBench(): Promise<Record<string, unknown>> {
  const bundle = path.join(ROOT, 'dist', 'extension.js');
  const activation: number[] = [];
  for (let i = 0; i < 15; i++) {
    const { vscode } = fakeVscode();
    const t = performance.now();
    loadExtension(vscode).activate({ subscriptions: [], extensionPath: ROOT, extensionUri: {} });
    activation.push(performance.now() - t);
  }
  const text = fs.readFileSync(bundle, 'utf8');
  const vsix = path.join(ROOT, 'model-lens.vsix');

  // The e2e test's run (the course MLP, 480 samples, batch 16: several epochs a second) through the whole
  // extension for 12 s: Train Model, the trainer's frames, the panel posts, progress and status bar.
  const run = await trainThroughExtension(limitedMlp(400), { stopAfterMs: 12_000 });
  const figure = (name: string) => Number(new RegExp(`${name} ([\\d.]+) ms`).exec(run.probeLine)?.[1] ?? NaN);
  const late = /(\d+) ticks more than/.exec(run.probeLine);
  const postBytes = run.record.posts.reduce((n, p) => n + p.length, 0);
  return {
    activationMs: { median: Math.round(median(activation) * 100) / 100, first: Math.round(activation[0] * 100) / 100, budget: 50 },
    extensionJsBytes: { value: fs.statSync(bundle).size, budget: 500_000, containsTfjs: /@tensorflow|tfjs-core/.test(text) },
    vsixBytes: fs.existsSync(vsix) ? fs.statSync(vsix).size : null,
    eventLoopDelayWhileTraining: {
      p50Ms: figure('p50'), p99Ms: figure('p99'), maxMs: figure('max'), lateTicks: late ? Number(late[1]) : 0, budgetP99Ms: 20,
      seconds: Math.round(run.seconds * 10) / 10, panelPostsPerSec: Math.round(run.record.posts.length / run.seconds * 10) / 10,
      panelKBPerSec: Math.round(postBytes / 1024 / run.seconds * 10) / 10, probe: run.probeLine,
    },
  };
}
