// A GPU can go away mid-run (driver reset, eGPU unplugged, another process's crash): its device is
// lost with everything on it. While training on webgpu we keep a host copy of the weights and the
// optimizer's state now and then; when the device is lost the run goes on on the next backend from
// that copy, and says so.
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ORDER, chooseBackend } from './backendChoice';
import { createOptimizer } from './optimizers';
import { readyMessage, type Emit } from './runMessages';
import type { RunPlan } from './runPlan';
import { gpuDeviceLost } from './webgpuBackend';

interface HostTensor {
  values: tf.TypedArray;
  shape: number[];
  dtype: tf.DataType;
}

interface HostCopy {
  step: number;
  weights: { variable: tf.Variable; value: HostTensor }[];
  optimizer: { name: string; value: HostTensor }[];
}

interface WeightWithValue {
  read(): tf.Variable;
}

const toHost = async (t: tf.Tensor): Promise<HostTensor> => ({ values: await t.data(), shape: t.shape, dtype: t.dtype });
const fromHost = (h: HostTensor) => tf.tensor(h.values, h.shape, h.dtype);

/** How long a lost device may take to say so after the failing call threw. */
const LOST_NOTICE_MS = 2000;

export class GpuFallback {
  private copy: HostCopy | null = null;

  /** `every`: steps between host copies (each reads every weight back from the GPU). */
  constructor(private readonly run: RunPlan, private readonly emit: Emit, private readonly every: number) {}

  /** Before step `step`: refreshes the host copy when training on webgpu and it is due. */
  async keep(step: number): Promise<void> {
    if (tf.getBackend() !== 'webgpu') return;
    if (this.copy && step - this.copy.step < this.every) return;
    const variables = this.run.loaded.model.weights.map((w) => (w as unknown as WeightWithValue).read());
    const optimizer = await this.run.optimizer.getWeights();
    this.copy = {
      step,
      weights: await Promise.all(variables.map(async (variable) => ({ variable, value: await toHost(variable) }))),
      optimizer: await Promise.all(optimizer.map(async ({ name, tensor }) => ({ name, value: await toHost(tensor) }))),
    };
  }

  /**
   * After step `step` threw: when the GPU device was lost, moves the run to the next backend with
   * the host copy's weights and says so (true); otherwise false (the error is the caller's).
   */
  async recover(step: number): Promise<boolean> {
    if (tf.getBackend() !== 'webgpu' || !this.copy) return false;
    const waitUntil = Date.now() + LOST_NOTICE_MS;
    while (!gpuDeviceLost() && Date.now() < waitUntil) await new Promise((resolve) => setTimeout(resolve, 10));
    const lost = gpuDeviceLost();
    if (!lost) return false;
    const next = await chooseBackend('auto', BACKEND_ORDER.slice(0, BACKEND_ORDER.indexOf('webgpu') + 1));
    for (const { variable, value } of this.copy.weights) {
      const restored = fromHost(value);
      variable.assign(restored);
      restored.dispose();
    }
    // A fresh optimizer: the old one's own tensors (SGD's learning rate, Momentum's β) died with the device.
    this.run.optimizer = createOptimizer(this.run.optimizerSpec);
    await this.run.optimizer.setWeights(this.copy.optimizer.map(({ name, value }) => ({ name, tensor: fromHost(value) })));
    const message = `the GPU device was lost at step ${step} (${lost}); training goes on on ${next.backend} from its weights before step ${this.copy.step}`;
    this.emit({ type: 'log', level: 'warn', message });
    this.emit(readyMessage({ backend: next.backend, reason: `${message}; ${next.reason}` }));
    this.copy = null;
    return true;
  }
}
