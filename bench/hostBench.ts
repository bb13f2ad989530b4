// `npm run bench -- host`: what the extension costs VS Code. Activation time of dist/extension.js
// (require + activate, with a stand-in vscode module), its size (and that it holds no tfjs), the
// VSIX's size, and the event-loop delay of a host process while a real training run streams in.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { MessageRelay } from '../src/host/messageRelay';
import { RunSession } from '../src/host/runSession';
import { fakeVscode, loadExtension } from '../test/helpers/fakeVscode';
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

  // A training run relayed at 20 posts/s, as the extension host does it.
  const delay = monitorEventLoopDelay({ resolution: 5 });
  const session = new RunSession({ trainerPath: path.join(ROOT, 'dist', 'trainer.js'), request: { file: path.join(ROOT, 'examples', 'mnist-mlp.ts'), limit: 12_800, testLimit: 1000, epochs: 2 } });
  let posts = 0;
  const relay = new MessageRelay(() => { posts++; }, 20);
  session.on('message', (m) => relay.push(m));
  delay.enable();
  const busyAtStart = performance.eventLoopUtilization();
  session.start();
  const done = await new Promise<{ steps: number }>((resolve) => session.once('end', resolve));
  delay.disable();
  const busy = performance.eventLoopUtilization(busyAtStart).utilization;
  relay.dispose();
  // The histogram holds the time between 5 ms timer ticks: the delay is what exceeds that.
  const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - 5) * 100) / 100);
  return {
    activationMs: { median: Math.round(median(activation) * 100) / 100, first: Math.round(activation[0] * 100) / 100, budget: 50 },
    extensionJsBytes: { value: fs.statSync(bundle).size, budget: 500_000, containsTfjs: /@tensorflow|tfjs-core/.test(text) },
    vsixBytes: fs.existsSync(vsix) ? fs.statSync(vsix).size : null,
    eventLoopDelayWhileTraining: { p50Ms: ms(delay.percentile(50)), p99Ms: ms(delay.percentile(99)), maxMs: ms(delay.max), loopBusyPercent: Math.round(busy * 1000) / 10, steps: done.steps, posts, budgetP99Ms: 20 },
  };
}
