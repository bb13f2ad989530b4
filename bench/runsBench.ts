// `npm run bench -- runs`: what keeping runs costs. With 1,000 runs in a folder: RunStore.list() and
// the Runs tree's first level (runFileGroups) in this process, and `model-lens runs list` as a user
// runs it, beside `model-lens --help` and a bare `node` measured in the same rounds (start-up is
// most of it). Then the disk: a real run of the course MLP recorded as the CLI records it, its bytes
// per step and what 10⁶ steps come to, the cost of one append, and its TensorBoard export.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { TrainerMessage } from '../src/protocol/messages';
import { RunStore } from '../src/runs/runStore';
import { runFileGroups } from '../src/runs/runTree';
import { exportToTensorBoard } from '../src/runs/tensorboard/tensorboardExport';
import { runTraining } from '../src/trainer/trainingRun';
import { ROOT } from '../test/helpers/fixtures';
import { syntheticRun } from '../test/helpers/syntheticRun';

const RUNS = 1000;
const FILES = 20;
const ROUNDS = 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => Math.round(x * 10) / 10;

function timed<T>(f: () => T): [T, number] {
  const t = performance.now();
  const value = f();
  return [value, performance.now() - t];
}

/** Wall and CPU (user + system) milliseconds of `f` in this process. */
function timedCpu(f: () => unknown): { wallMs: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const [, wallMs] = timed(f);
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

/** 1,000 finished runs of 20 files (30 steps each), and 10 whose process died mid-run. */
function thousandRuns(root: string): RunStore {
  fs.writeFileSync(path.join(root, 'package.json'), '{}');
  const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
  const store = new RunStore(path.join(root, '.model-lens', 'runs'));
  const messages = syntheticRun({ epochs: 3, stepsPerEpoch: 10 });
  const cut = syntheticRun({ epochs: 3, stepsPerEpoch: 10, stopAtStep: 17 });
  for (let i = 0; i < RUNS; i++) {
    const file = path.join(root, `experiment-${i % FILES}.ts`);
    if (i < FILES) fs.writeFileSync(file, `// experiment ${i}\n`);
    const interrupted = i % 100 === 99;
    const recorder = store.create({ file, now: new Date(Date.UTC(2025, 0, 1) + i * 60_000), pid: interrupted ? deadPid : process.pid });
    recorder.append(interrupted ? cut : messages);
  }
  return store;
}

/**
 * Runs node with `args` and gives its wall time and its own CPU time (user + system, reported by a
 * preloaded exit hook): on a shared machine the wall time includes waiting for a core, the CPU time not.
 */
function nodeRun(args: string[], cwd: string, cpuHook: string): { wallMs: number; cpuMs: number } {
  const t = performance.now();
  const r = spawnSync(process.execPath, ['-r', cpuHook, ...args], { cwd, encoding: 'utf8' });
  const wallMs = performance.now() - t;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr}`);
  const cpu = /cpu-us (\d+)/.exec(r.stderr);
  return { wallMs, cpuMs: cpu ? Number(cpu[1]) / 1000 : NaN };
}

function cpuHookFile(dir: string): string {
  const file = path.join(dir, 'cpu-hook.js');
  fs.writeFileSync(file, "process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write(`cpu-us ${u.user + u.system}\\n`); });\n");
  return file;
}

function listing(): Record<string, unknown> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-bench-runs-'));
  try {
    const [store, createMs] = timed(() => thousandRuns(root));
    const [first, firstMs] = timed(() => store.list());
    const hook = cpuHookFile(root);
    const cli = path.join(ROOT, 'dist', 'cli.js');
    const list: { wallMs: number; cpuMs: number }[] = [];
    const tree: { wallMs: number; cpuMs: number }[] = [];
    const runs: Record<string, { wallMs: number; cpuMs: number }[]> = { list: [], listJson: [], help: [], bareNode: [] };
    for (let round = 0; round < ROUNDS; round++) {
      list.push(timedCpu(() => store.list()));
      tree.push(timedCpu(() => runFileGroups(store.list())));
      runs.list.push(nodeRun([cli, 'runs', 'list'], root, hook));
      runs.listJson.push(nodeRun([cli, 'runs', 'list', '--json'], root, hook));
      runs.help.push(nodeRun([cli, '--help'], root, hook));
      runs.bareNode.push(nodeRun(['-e', '0'], root, hook));
    }
    const figures = (xs: { wallMs: number; cpuMs: number }[]) => ({ wallMs: ms(median(xs.map((x) => x.wallMs))), cpuMs: ms(median(xs.map((x) => x.cpuMs))) });
    return {
      runs: first.length,
      interruptedFound: first.filter((e) => e.status === 'interrupted').length,
      createAllMs: Math.round(createMs),
      storeListFirstMs: ms(firstMs),
      storeList: figures(list),
      runsTreeFirstLevel: { ...figures(tree), budgetMs: 200 },
      cliRunsList: { ...figures(runs.list), budgetMs: 1000 },
      cliRunsListJson: figures(runs.listJson),
      cliHelp: figures(runs.help),
      bareNode: figures(runs.bareNode),
      rounds: ROUNDS,
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

const STEPS = 800;
const BATCH = 32;

/** The course MLP trained for 800 steps, recorded message by message as `model-lens train` does. */
async function diskCost(): Promise<Record<string, unknown>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-bench-disk-'));
  try {
    const file = path.join(root, 'mnist-mlp.ts');
    fs.copyFileSync(path.join(ROOT, 'examples', 'mnist-mlp.ts'), file);
    fs.writeFileSync(path.join(root, 'package.json'), '{}');
    const store = RunStore.forFile(file);
    const recorder = store.create({ file });
    const bytesByType = new Map<string, number>();
    const batchAppendMs: number[] = [];
    let plan: { gradientEvery: number; histogramEvery: number } | null = null;
    await runTraining({ file, epochs: 1, batchSize: BATCH, limit: BATCH * STEPS, testLimit: 1000 }, (m: TrainerMessage) => {
      const t = performance.now();
      recorder.append(m);
      if (m.type === 'batch') batchAppendMs.push(performance.now() - t);
      if (m.type === 'model') plan = m.plan ?? null;
      bytesByType.set(m.type, (bytesByType.get(m.type) ?? 0) + JSON.stringify(m).length + 1);
    }, { stopRequested: false });
    const [entry] = store.list();
    const messagesBytes = fs.statSync(path.join(entry.dir, 'messages.jsonl')).size;
    const folderBytes = fs.readdirSync(entry.dir).reduce((n, f) => n + fs.statSync(path.join(entry.dir, f)).size, 0);
    const perStepTypes = ['batch', 'gradients'];
    const perStepBytes = perStepTypes.reduce((n, t) => n + (bytesByType.get(t) ?? 0), 0) / entry.figures.steps;
    const onceBytes = folderBytes - perStepTypes.reduce((n, t) => n + (bytesByType.get(t) ?? 0), 0);
    const [tb, exportMs] = timed(() => exportToTensorBoard(entry, path.join(root, 'tb')));
    return {
      workload: `course MLP 784-512-128-10, batch ${BATCH}, ${entry.figures.steps} steps, gradient figures every ${plan!.gradientEvery} steps, a histogram every ${plan!.histogramEvery}`,
      backend: entry.backend,
      messagesBytes,
      folderBytes,
      bytesByType: Object.fromEntries(bytesByType),
      bytesPerStep: Math.round(perStepBytes),
      batchBytesPerStep: Math.round((bytesByType.get('batch') ?? 0) / entry.figures.steps),
      onceBytes,
      millionStepsMB: Math.round((perStepBytes * 1e6 + onceBytes) / 1e6),
      batchAppendMicrosWhileTraining: { median: Math.round(median(batchAppendMs) * 1000), mean: Math.round((batchAppendMs.reduce((a, b) => a + b, 0) / batchAppendMs.length) * 1000) },
      appendShareOfTraining: Number((batchAppendMs.reduce((a, b) => a + b, 0) / 1000 / entry.figures.elapsedSec).toFixed(4)),
      batchAppendMicrosAlone: appendAlone(root),
      tensorBoard: { bytes: tb.bytes, bytesPerStep: Math.round(tb.bytes / entry.figures.steps), events: tb.events, exportMs: ms(exportMs) },
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** One batch message appended 20,000 times in a row: the recorder's own cost, median µs. */
function appendAlone(root: string): number {
  const file = path.join(root, 'alone.ts');
  fs.writeFileSync(file, '');
  const recorder = new RunStore(path.join(root, 'alone')).create({ file });
  const times: number[] = [];
  for (let step = 1; step <= 20_000; step++) {
    const t = performance.now();
    recorder.append({ type: 'batch', epoch: 1, step, batch: step, metrics: { loss: 1 / step, accuracy: 0.5 }, lr: 0.1, samplesPerSec: 1234.5, elapsedSec: step * 0.01 });
    times.push(performance.now() - t);
  }
  recorder.finish();
  return Math.round(median(times) * 1000 * 10) / 10;
}

export async function runsBench(): Promise<Record<string, unknown>> {
  return { listing: listing(), disk: await diskCost(), machine: `${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, node ${process.versions.node}, load ${os.loadavg()[0].toFixed(1)}` };
}
