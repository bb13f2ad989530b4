// `npm run bench -- backends`: training samples/s of the course MLP (examples/mnist-mlp.ts, batch 128,
// SGD) and the CNN (examples/mnist-cnn.ts, batch 64, Adam) on every backend we can run, interleaved in
// one process: stock tfjs-wasm (our kernels unregistered), wasm with our kernels, cpu (with ours),
// tfjs-node if installed, webgpu (any adapter: on llvmpipe not a GPU figure), wasm on the threaded build
// (wasmThreads, a child process), as many one-thread wasm trainers side by side (wasmIndependent: what the
// cores give work that shares nothing, the most a split of one run could reach), and PyTorch CPU on one thread and on as many (bench/torchTrain.py) if a Python can import
// torch. Several rounds, each visiting the backends in a rotated order; medians reported. A third workload,
// a CIFAR ResNet-18 (bench/models/resnet18Cifar.ts, batch 32), runs where Dawn finds a hardware GPU
// adapter, or when asked (BENCH_WORKLOADS=mlp,cnn,resnet18), on wasm, wasmThreads, webgpu and PyTorch.
import { spawn, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { registerTrainingKernels, useOurKernels, useStockKernels } from '@model-lens/tfjs-training-kernels';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName, TrainerMessage } from '../src/protocol/messages';
import { runTraining } from '../src/trainer/trainingRun';
import { usableTfjsNode } from '../src/trainer/tfjsNodeLocation';
import { enableRelaxedSimd } from '../src/trainer/relaxedSimd';
import { wasmThreadCount } from '../src/trainer/wasmThreads';
import { webgpuAdapterName } from '../src/trainer/webgpuBackend';
import { findAdapter, mayHaveGpu, deviceEntries } from '../src/trainer/gpuAdapter';

const ROOT = path.resolve(__dirname, '..', '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** BENCH_ONLY=wasm,torch runs only those columns (a quick look; the docs' figures run them all). */
const ONLY = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);
/** Measured time per backend and round, after the warm-up steps (at least MIN_STEPS are measured). */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const WARMUP = 3;
const MIN_STEPS = 3;

type Workload = 'mlp' | 'cnn' | 'resnet18';
type Contender = 'stockWasm' | 'wasm' | 'wasmThreads' | 'wasmThreadsXnnpack' | 'wasmThreadsNoFma' | 'wasmIndependent' | 'cpu' | 'tensorflow' | 'webgpu' | 'torch' | 'torchThreads';
const CONTENDERS: Contender[] = ['stockWasm', 'wasm', 'wasmThreads', 'wasmThreadsXnnpack', 'wasmThreadsNoFma', 'wasmIndependent', 'cpu', 'tensorflow', 'webgpu', 'torch', 'torchThreads'];
/** Threads of the wasmThreads column (the trainer's own choice) and of PyTorch beside it. */
const THREADS = wasmThreadCount(os.cpus().length, 0);
const WORKLOADS: Record<Workload, { file: string; batch: number; describe: string }> = {
  mlp: { file: 'examples/mnist-mlp.ts', batch: 128, describe: 'MLP 784-512-128-10 (ReLU, softmax), batch 128, SGD lr 0.1' },
  cnn: { file: 'examples/mnist-cnn.ts', batch: 64, describe: 'CNN conv3×3·32-pool-conv3×3·64-pool-dense128-dense10, batch 64, Adam lr 0.001' },
  resnet18: { file: 'bench/models/resnet18Cifar.ts', batch: 32, describe: 'CIFAR ResNet-18 (11.2M parameters) on 32×32×3, batch 32, SGD momentum 0.9 lr 0.01' },
};
/** The contenders that run the ResNet-18 (the others would take minutes a step, or add nothing to its question: the GPU). */
const RESNET_CONTENDERS: Contender[] = ['wasm', 'wasmThreads', 'tensorflow', 'webgpu', 'torch', 'torchThreads'];

/** BENCH_WORKLOADS, else the MLP and the CNN, and the ResNet-18 too where Dawn finds a hardware adapter. */
async function chosenWorkloads(): Promise<{ workloads: Workload[]; gpu: string | null }> {
  let gpu: string | null = null;
  if (mayHaveGpu(process.platform, deviceEntries())) {
    const search = await findAdapter();
    if (search.found && !search.found.software) gpu = search.found.name;
  }
  const asked = (process.env.BENCH_WORKLOADS ?? '').split(',').filter(Boolean);
  const unknown = asked.filter((w) => !(w in WORKLOADS));
  if (unknown.length) throw new Error(`BENCH_WORKLOADS: unknown workload ${unknown.join(', ')} (mlp, cnn, resnet18)`);
  if (asked.length) return { workloads: asked as Workload[], gpu };
  return { workloads: gpu ? ['mlp', 'cnn', 'resnet18'] : ['mlp', 'cnn'], gpu };
}

interface Measurement { samplesPerSec: number | null; reason?: string }

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Samples/s of runTraining on `backend`, timed from the end of the warm-up steps to a stop after ~SECONDS. */
async function trainJs(workload: Workload, backend: BackendName): Promise<Measurement> {
  const { file, batch } = WORKLOADS[workload];
  let started = 0;
  let measured = 0;
  let elapsed = 0;
  let error: string | null = null;
  let used: string | null = null;
  const control = {
    stopRequested: false,
    onStep: (step: number) => {
      if (step === WARMUP) started = performance.now();
      if (step <= WARMUP) return;
      measured = step - WARMUP;
      elapsed = (performance.now() - started) / 1000;
      if (elapsed >= SECONDS && measured >= MIN_STEPS) control.stopRequested = true;
    },
  };
  await runTraining(
    { file: path.join(ROOT, file), epochs: 1, batchSize: batch, limit: batch * 4000, testLimit: 1, gradientEvery: Number.MAX_SAFE_INTEGER, backend },
    (m: TrainerMessage) => {
      if (m.type === 'error') error = m.message;
      if (m.type === 'ready') used = m.backend;
    },
    control,
  );
  if (error) return { samplesPerSec: null, reason: error };
  if (used !== backend) return { samplesPerSec: null, reason: `ran on ${used} instead` };
  if (measured < 1) return { samplesPerSec: null, reason: 'no step was measured' };
  return { samplesPerSec: (measured * batch) / elapsed };
}

async function stockWasm(workload: Workload): Promise<Measurement> {
  useStockKernels('wasm');
  try {
    const m = await trainJs(workload, 'wasm');
    if (m.samplesPerSec === null && m.reason) m.reason = `stock tfjs-wasm: ${m.reason}`;
    return m;
  } finally {
    useOurKernels('wasm');
  }
}

function tfjsNodeInstalled(): string | null {
  const found = usableTfjsNode(path.join(ROOT, 'examples'), tf.version_core);
  return found.usable ? null : found.reason;
}

/** $PYTHON, else python3, else /usr/bin/python3: the first that can import torch. */
function findTorchPython(): { python: string | null; version?: string; tried: string[] } {
  const candidates = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => Boolean(p));
  const tried: string[] = [];
  for (const python of [...new Set(candidates)]) {
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) return { python, version: r.stdout.trim(), tried };
    tried.push(`${python}: ${(r.error?.message ?? r.stderr.trim().split('\n').pop() ?? 'failed')}`);
  }
  return { python: null, tried };
}

/**
 * glibc settings for the PyTorch runs: keep freed memory in the process instead of returning it to the
 * OS. With glibc's defaults every step mmaps and unmaps its large activations, and page faults can be
 * so expensive in a VM that PyTorch runs several times slower and swings from run to run. The wasm
 * heap never shrinks, so without this the comparison would flatter us.
 */
const TORCH_MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: String(32 * 2 ** 20), MALLOC_TRIM_THRESHOLD_: String(2 ** 32) };

/**
 * wasm on the threaded build, in a child process of its own (one process holds one wasm module): the
 * bench's own process runs the single-threaded one (MODEL_LENS_WASM_THREADS=1) for the wasm column.
 */
function wasmThreadsChild(workload: Workload, pool: 'trainer' | 'xnnpack', fma = true): Measurement {
  // pool: the trainer's choice (ours when the loops fuse multiply-adds, else XNNPACK's), or XNNPACK's.
  // fma: relaxed SIMD's fused multiply-add in our loops (the trainer's default), or plain multiply and add.
  const env: NodeJS.ProcessEnv = { ...process.env, MODEL_LENS_WASM_THREADS: String(THREADS), MODEL_LENS_RELAXED_SIMD: fma ? '1' : '0' };
  delete env.MODEL_LENS_KERNEL_THREADS;
  if (pool === 'xnnpack') env.MODEL_LENS_KERNEL_THREADS = '1';
  const r = spawnSync(process.execPath, [path.join(__dirname, 'main.js'), 'backends-child', workload, 'wasm'], { encoding: 'utf8', timeout: 600_000, env });
  if (r.status !== 0) return { samplesPerSec: null, reason: `child failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}` };
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Measurement;
}

/**
 * THREADS one-thread wasm trainers started together, each in its own process: their samples/s summed.
 * They share nothing but the cores (and their caches), so no split of one run over THREADS threads can
 * do better: the ceiling the wasmThreads column is measured against.
 */
async function wasmIndependentChildren(workload: Workload): Promise<Measurement> {
  const env: NodeJS.ProcessEnv = { ...process.env, MODEL_LENS_WASM_THREADS: '1', MODEL_LENS_RELAXED_SIMD: '1' };
  const one = () => new Promise<Measurement>((resolve) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'main.js'), 'backends-child', workload, 'wasm-one-thread'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', (e) => resolve({ samplesPerSec: null, reason: `child failed: ${e.message}` }));
    child.on('close', (code) => resolve(code === 0
      ? JSON.parse(out.trim().split('\n').pop()!) as Measurement
      : { samplesPerSec: null, reason: `child failed: ${err.trim().split('\n').pop()}` }));
  });
  const all = await Promise.all(Array.from({ length: THREADS }, one));
  const failed = all.find((m) => m.samplesPerSec === null);
  return failed ?? { samplesPerSec: all.reduce((sum, m) => sum + m.samplesPerSec!, 0) };
}

/** The child of wasmThreadsChild: one measurement, as JSON on stdout. */
export async function backendsChild(workload: string, backend: string): Promise<void> {
  tf.env().set('PROD', true);
  const oneThread = backend === 'wasm-one-thread'; // wasmIndependentChildren's: MODEL_LENS_WASM_THREADS=1
  const m = await trainJs(workload as Workload, (oneThread ? 'wasm' : backend) as BackendName);
  const threads = (await import('../src/trainer/wasmThreads')).wasmThreads();
  if (backend === 'wasm' && threads === null && m.samplesPerSec !== null) Object.assign(m, { samplesPerSec: null, reason: 'the threaded build did not start' });
  process.stdout.write(`${JSON.stringify(m)}\n`);
}

function trainTorch(python: string, workload: Workload, tunedAllocator = true, threads = 1, blasThreads = 1): Measurement {
  const script = path.join(ROOT, 'bench', 'torchTrain.py');
  const r = spawnSync(python, [script, '--model', workload, '--warmup', String(WARMUP), '--seconds', String(SECONDS), '--min-steps', String(MIN_STEPS),
    '--threads', String(threads), '--blas-threads', String(blasThreads)],
    { encoding: 'utf8', timeout: 1_200_000, env: { ...process.env, OMP_NUM_THREADS: String(threads), ...(tunedAllocator ? TORCH_MALLOC_ENV : {}) } });
  if (r.status !== 0) return { samplesPerSec: null, reason: `torchTrain.py failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}` };
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { samplesPerSec: number };
  return { samplesPerSec: out.samplesPerSec };
}

function blasOfTorch(python: string): string {
  const r = spawnSync(python, ['-c', [
    'import os', "os.environ['OPENBLAS_NUM_THREADS']='1'", 'import torch', 'torch.ones(64, 64) @ torch.ones(64, 64)',
    "maps = open('/proc/self/maps').read()",
    "print(next((l.split()[-1] for l in maps.splitlines() if 'blas' in l.lower()), 'unknown'))",
  ].join('\n')], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

export async function backendsBench(): Promise<Record<string, unknown>> {
  tf.env().set('PROD', true);
  process.env.MODEL_LENS_WASM_THREADS = '1'; // the wasm column: tfjs's single-threaded build
  enableRelaxedSimd(); // as the trainer does, before our kernels compile
  const loadBefore = os.loadavg();
  // Our kernels go on both backends up front; stockWasm swaps them out for its own runs only.
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + path.sep);
  for (const b of ['wasm', 'cpu']) {
    if (await tf.setBackend(b)) {
      await tf.ready();
      registerTrainingKernels(b);
    }
  }
  const torch = findTorchPython();
  const tfjsNode = tfjsNodeInstalled();
  const { workloads, gpu } = await chosenWorkloads();
  const noSamples = () => Object.fromEntries(CONTENDERS.map((c) => [c, [] as number[]])) as Record<Contender, number[]>;

  const samples: Record<Workload, Record<Contender, number[]>> = { mlp: noSamples(), cnn: noSamples(), resnet18: noSamples() };
  const torchDefaultAllocator: Record<Workload, number[]> = { mlp: [], cnn: [], resnet18: [] };
  // PyTorch at THREADS threads in its best configuration, chosen per round: BLAS on one thread or on as many.
  const torchThreadsBlas: Record<Workload, number[]> = { mlp: [], cnn: [], resnet18: [] };
  const reasons: Record<string, string> = {};
  if (tfjsNode) reasons.tensorflow = tfjsNode;
  if (THREADS < 2) reasons.wasmThreads = reasons.wasmThreadsXnnpack = reasons.wasmThreadsNoFma = reasons.wasmIndependent = reasons.torchThreads = `one core: no threads to add`;
  if (!torch.python) reasons.torch = reasons.torchThreads = `no Python that can import torch (${torch.tried.join('; ')})`;
  for (const c of CONTENDERS) if (!RESNET_CONTENDERS.includes(c)) reasons[`resnet18.${c}`] = 'not run on the ResNet-18 (minutes a step, or no question of its own)';
  if (!gpu) reasons['resnet18.webgpu'] = 'no hardware GPU adapter (a software one would take hours)';

  for (let round = 0; round < ROUNDS; round++) {
    for (const workload of workloads) {
      // Rotate the order every round so the drift of a shared machine hits every backend alike.
      const order = CONTENDERS.map((_, i) => CONTENDERS[(i + round) % CONTENDERS.length]);
      for (const who of order) {
        if (ONLY.length && !ONLY.includes(who)) continue;
        const reasonKey = `${workload}.${who}`;
        if (reasons[who] || reasons[reasonKey]) continue;
        let m: Measurement;
        if (who === 'torch') {
          m = trainTorch(torch.python!, workload);
          const plain = trainTorch(torch.python!, workload, false);
          if (plain.samplesPerSec !== null) torchDefaultAllocator[workload].push(plain.samplesPerSec);
        }
        else if (who === 'torchThreads') {
          const blasOne = trainTorch(torch.python!, workload, true, THREADS, 1);
          const blasAll = trainTorch(torch.python!, workload, true, THREADS, THREADS);
          const best = (blasAll.samplesPerSec ?? -1) > (blasOne.samplesPerSec ?? -1) ? blasAll : blasOne;
          m = best;
          if (best.samplesPerSec !== null) torchThreadsBlas[workload].push(best === blasAll ? THREADS : 1);
        }
        else if (who === 'wasmThreads') m = wasmThreadsChild(workload, 'trainer');
        else if (who === 'wasmThreadsXnnpack') m = wasmThreadsChild(workload, 'xnnpack');
        else if (who === 'wasmThreadsNoFma') m = wasmThreadsChild(workload, 'trainer', false);
        else if (who === 'wasmIndependent') m = await wasmIndependentChildren(workload);
        else if (who === 'tensorflow') m = await trainJs(workload, 'tensorflow');
        else if (who === 'stockWasm') m = await stockWasm(workload);
        else m = await trainJs(workload, who);
        if (m.samplesPerSec === null) reasons[reasonKey] = m.reason ?? 'failed';
        else samples[workload][who].push(m.samplesPerSec);
        process.stderr.write(`round ${round + 1}/${ROUNDS} ${workload} ${who}: ${m.samplesPerSec === null ? `null (${m.reason})` : m.samplesPerSec.toFixed(0)}\n`);
      }
    }
  }

  const figures = (workload: Workload) => Object.fromEntries(CONTENDERS.map((c) => {
    const xs = samples[workload][c];
    return [c, xs.length ? Math.round(median(xs)) : null];
  })) as Record<Contender, number | null>;
  const mlp = figures('mlp');
  const cnn = figures('cnn');
  const resnet18 = workloads.includes('resnet18') ? figures('resnet18') : null;
  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? Number((a / b).toFixed(3)) : null);
  const ratios = {
    mlpWasmOverStockWasm: ratio(mlp.wasm, mlp.stockWasm),
    mlpWasmOverTorch: ratio(mlp.wasm, mlp.torch),
    cnnWasmOverTorch: ratio(cnn.wasm, cnn.torch),
    mlpWasmThreadsOverWasm: ratio(mlp.wasmThreads, mlp.wasm),
    cnnWasmThreadsOverWasm: ratio(cnn.wasmThreads, cnn.wasm),
    mlpWasmThreadsOverTorchThreads: ratio(mlp.wasmThreads, mlp.torchThreads),
    cnnWasmThreadsOverTorchThreads: ratio(cnn.wasmThreads, cnn.torchThreads),
    ...(resnet18 ? {
      resnet18WasmThreadsOverTorchThreads: ratio(resnet18.wasmThreads, resnet18.torchThreads),
      resnet18WebgpuOverWasmThreads: ratio(resnet18.webgpu, resnet18.wasmThreads),
      resnet18WebgpuOverTorchThreads: ratio(resnet18.webgpu, resnet18.torchThreads),
    } : {}),
  };
  // The same ratios taken within each round (the two measured minutes apart at most), then the median:
  // steadier than a ratio of medians when the load of a shared machine drifts during the run.
  const paired = (w: Workload, a: Contender, b: Contender) => {
    const xs = samples[w][a];
    const ys = samples[w][b];
    const rs = xs.length === ys.length && xs.length > 0 ? xs.map((x, i) => x / ys[i]) : [];
    return rs.length ? Number(median(rs).toFixed(3)) : null;
  };
  const pairedRatios = {
    mlpWasmOverStockWasm: paired('mlp', 'wasm', 'stockWasm'),
    mlpWasmOverTorch: paired('mlp', 'wasm', 'torch'),
    cnnWasmOverTorch: paired('cnn', 'wasm', 'torch'),
    mlpWasmThreadsOverWasm: paired('mlp', 'wasmThreads', 'wasm'),
    cnnWasmThreadsOverWasm: paired('cnn', 'wasmThreads', 'wasm'),
    mlpOurPoolOverXnnpackPool: paired('mlp', 'wasmThreads', 'wasmThreadsXnnpack'),
    cnnOurPoolOverXnnpackPool: paired('cnn', 'wasmThreads', 'wasmThreadsXnnpack'),
    // What a second thread gives PyTorch on the same machine, beside what it gives us.
    mlpTorchThreadsOverTorch: paired('mlp', 'torchThreads', 'torch'),
    cnnTorchThreadsOverTorch: paired('cnn', 'torchThreads', 'torch'),
    // The ceiling: THREADS independent one-thread trainers together over one (SMT siblings share a core's
    // arithmetic units, so this can be well under THREADS); wasmThreads over it says how much of it we reach.
    mlpIndependentOverWasm: paired('mlp', 'wasmIndependent', 'wasm'),
    cnnIndependentOverWasm: paired('cnn', 'wasmIndependent', 'wasm'),
    mlpWasmThreadsOverIndependent: paired('mlp', 'wasmThreads', 'wasmIndependent'),
    cnnWasmThreadsOverIndependent: paired('cnn', 'wasmThreads', 'wasmIndependent'),
    mlpFmaOverNoFma: paired('mlp', 'wasmThreads', 'wasmThreadsNoFma'),
    cnnFmaOverNoFma: paired('cnn', 'wasmThreads', 'wasmThreadsNoFma'),
    mlpWasmThreadsOverTorchThreads: paired('mlp', 'wasmThreads', 'torchThreads'),
    cnnWasmThreadsOverTorchThreads: paired('cnn', 'wasmThreads', 'torchThreads'),
  };
  const budgets = {
    mlpWasmOverStockWasm: { atLeast: 8, met: ratios.mlpWasmOverStockWasm !== null ? ratios.mlpWasmOverStockWasm >= 8 : null },
    mlpWasmOverTorch: { atLeast: 0.25, met: ratios.mlpWasmOverTorch !== null ? ratios.mlpWasmOverTorch >= 0.25 : null },
    cnnWasmOverTorch: { atLeast: 0.5, met: ratios.cnnWasmOverTorch !== null ? ratios.cnnWasmOverTorch >= 0.5 : null },
    cnnWasmThreadsOverWasm: { atLeast: 1.5, met: ratios.cnnWasmThreadsOverWasm !== null ? ratios.cnnWasmThreadsOverWasm >= 1.5 : null },
    mlpWasmThreadsOverTorchThreads: { atLeast: 0.35, met: ratios.mlpWasmThreadsOverTorchThreads !== null ? ratios.mlpWasmThreadsOverTorchThreads >= 0.35 : null },
  };
  const cpu = os.cpus();
  const unavailable: Record<string, string> = {};
  for (const [k, v] of Object.entries(reasons)) unavailable[k] = v;
  return {
    ...(workloads.includes('mlp') ? { mlp } : {}),
    ...(workloads.includes('cnn') ? { cnn } : {}),
    ...(resnet18 ? { resnet18 } : {}),
    gpu: gpu ?? 'none: no hardware GPU adapter on this machine',
    machine: `${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length} (${os.arch()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB), ${os.type()} ${os.release()}, ` +
      `node ${process.versions.node}, tfjs ${tf.version.tfjs}` +
      (torch.python ? `, PyTorch ${torch.version} via ${torch.python} (BLAS ${blasOfTorch(torch.python)})` : ''),
    ratios,
    pairedRatios,
    budgets,
    unavailable,
    loadAverage: { before: loadBefore.map((l) => Number(l.toFixed(2))), after: os.loadavg().map((l) => Number(l.toFixed(2))) },
    method: `samples/s while training (runTraining in-process, gradient figures off; PyTorch: bench/torchTrain.py, loss read back every step), ` +
      `${WARMUP} warm-up steps then ≥${SECONDS}s and ≥${MIN_STEPS} steps per backend and round, ${ROUNDS} rounds in rotated order, medians; ` +
      `PyTorch with MALLOC_MMAP_THRESHOLD_=32MiB MALLOC_TRIM_THRESHOLD_=4GiB (freed memory stays in the process); torch = 1 intra-op and 1 BLAS thread; ` +
      `torchThreads = ${THREADS} intra-op threads, BLAS on 1 or on ${THREADS} threads, whichever ran faster in the round (torchThreadsBlasThreads). ` +
      `stockWasm = tfjs-wasm with our kernels unregistered; wasm, cpu = with @model-lens/tfjs-training-kernels registered; ` +
      `wasmThreads = the threaded build as the trainer runs it (the threads go to our kernels' pool, matrix products included; XNNPACK's kernels on one); wasmThreadsXnnpack = the threads to XNNPACK's pool instead (our kernels on the calling thread, products on XNNPACK); wasmThreadsNoFma = the trainer without relaxed SIMD (no fused multiply-add: products on XNNPACK, its pool gets the threads); ` +
      `wasmIndependent = as many one-thread wasm trainers as wasmThreads has threads, each its own process, started together: their samples/s summed (the ceiling for any split of one run).`,
    torchDefaultAllocator: {
      ...Object.fromEntries(workloads.map((w) => [w, torchDefaultAllocator[w].length ? Math.round(median(torchDefaultAllocator[w])) : null])),
      note: 'PyTorch with glibc malloc defaults (see TORCH_MALLOC_ENV in bench/backendsBench.ts); "torch" above keeps freed memory in the process',
    },
    torchThreadsBlasThreads: Object.fromEntries(workloads.map((w) => [w, torchThreadsBlas[w]])),
    rounds: Object.fromEntries(workloads.map((w) => [w, Object.fromEntries(CONTENDERS.map((c) => [c, samples[w][c].map((v) => Math.round(v))]))])),
    webgpuAdapter: webgpuAdapterName(),
    webgpuNote: 'webgpu figures on a software adapter (llvmpipe, Mesa\'s CPU rasteriser) are NOT GPU figures',
    threads: THREADS,
    workloads: Object.fromEntries(workloads.map((w) => [w, WORKLOADS[w].describe])),
    command: 'npm run bench -- backends',
  };
}
