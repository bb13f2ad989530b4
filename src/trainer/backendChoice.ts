import * as path from 'node:path';
import * as fs from 'node:fs';
import { registerTrainingKernels } from '@model-lens/tfjs-training-kernels';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from '../protocol/messages';

export interface BackendChoice {
  backend: BackendName;
  reason: string;
}

/** The backends `auto` tries, fastest first. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** Where the wasm binaries are: next to the bundle (the build copies them), else in node_modules. */
function wasmDirectory(): string {
  if (fs.existsSync(path.join(__dirname, 'tfjs-backend-wasm-simd.wasm'))) return __dirname + path.sep;
  const wasmFile = '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'; // resolved at run time
  return path.dirname(require.resolve(wasmFile)) + path.sep;
}

async function tryBackend(name: BackendName): Promise<string | null> {
  try {
    if (name === 'tensorflow') {
      // Optional: its install downloads libtensorflow, which fails offline and on some platforms.
      // tfjs keeps one engine per process (a global), so the native backend registers into ours.
      const nodeModule = '@tensorflow/tfjs-node';
      require(nodeModule);
    }
    if (name === 'wasm') setWasmPaths(wasmDirectory());
    if (!(await tf.setBackend(name))) return `the ${name} backend failed to initialise`;
    await tf.ready();
    registerTrainingKernels(name); // wasm and cpu: the kernels training needs or runs faster with
    return null;
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    if (name === 'tensorflow' && /Cannot find module/.test(message)) {
      return '@tensorflow/tfjs-node is not installed (it is optional: its install downloads libtensorflow)';
    }
    return message.split('\n')[0];
  }
}

/**
 * The fastest backend that works: tensorflow (tfjs-node) → wasm → cpu, or the one asked for.
 * `reason` says what was tried and why it was passed over.
 */
export async function chooseBackend(requested: BackendName | 'auto' = 'auto', skip: BackendName[] = []): Promise<BackendChoice> {
  tf.env().set('PROD', true); // no "install tfjs-node" banner, no debug checks
  const candidates = requested === 'auto' ? BACKEND_ORDER.filter((b) => !skip.includes(b)) : [requested];
  const passed: string[] = [];
  for (const name of candidates) {
    const failure = await tryBackend(name);
    if (failure === null) {
      const why = requested === 'auto'
        ? (passed.length ? `${passed.join('; ')}; using ${name}` : `${name} is the fastest backend available`)
        : `${name} was requested`;
      return { backend: name, reason: why };
    }
    passed.push(`${name}: ${failure}`);
  }
  throw new Error(`no tfjs backend could start (${passed.join('; ')})`);
}

/**
 * Runs `attempt` (one training step) on `choice`. When the backend was chosen automatically and lacks
 * a kernel the step needs, the next backend in BACKEND_ORDER takes over, so the run falls back
 * instead of crashing; the returned choice says why.
 */
export async function backendThatRuns(choice: BackendChoice, requested: BackendName | 'auto' | undefined,
  attempt: () => void): Promise<BackendChoice> {
  const tried: BackendName[] = [];
  let current = choice;
  for (;;) {
    try {
      attempt();
      return current;
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      const kernelProblem = /not registered|not yet implemented|not supported/i.test(message);
      if (!kernelProblem || (requested && requested !== 'auto') || current.backend === 'cpu') throw e;
      tried.push(current.backend);
      const next = await chooseBackend('auto', [...BACKEND_ORDER.slice(0, BACKEND_ORDER.indexOf(current.backend)), ...tried]);
      current = { backend: next.backend, reason: `${current.reason}; a training step failed on ${current.backend} (${message.split('\n')[0]}), so ${next.backend} runs it` };
    }
  }
}
