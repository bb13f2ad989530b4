// Approximate forward time per layer: the model's layer calls applied one by one, in the order the
// graph runs them, on a small random batch; a warm-up pass first (kernels compile, memory is
// allocated), then a timed pass that waits for each output's data so the time is the work's. It is
// bounded by the model's mult-adds, so a big model's summary is never held up: it goes untimed.
import * as tf from '@tensorflow/tfjs';
import type { LoadedModel } from '../model/loadExperiment';
import { modelCalls, type LayerCall, type ModelCalls } from '../model/layerCalls';
import { computeSummary, forwardTimeKey, type SummaryOptions } from '../model/modelSummary';
import type { BackendName } from '../protocol/messages';
import type { ModelSummary } from '../protocol/modelInfo';

/** Samples in the timed batch at most (fewer when the training batch is smaller). */
export const MAX_TIMED_SAMPLES = 8;
/** Mult-adds one pass may cost: the pure-JS cpu backend is about ten times slower than wasm or tfjs-node. */
const PASS_BUDGET: Record<BackendName, number> = { tensorflow: 1e9, wasm: 1e9, cpu: 1e8 };

/** How many samples to time on: as many as the budget allows up to the batch size and 8; 0 when one is already too many. */
export function timedSampleCount(multAddsPerSample: number, batchSize: number, backend: BackendName): number {
  const fit = multAddsPerSample > 0 ? Math.floor(PASS_BUDGET[backend] / multAddsPerSample) : MAX_TIMED_SAMPLES;
  return Math.max(0, Math.min(MAX_TIMED_SAMPLES, batchSize, fit));
}

function inputTensors(calls: ModelCalls, samples: number): tf.Tensor[] {
  return calls.inputs.map((input) => {
    const shape = [samples, ...input.shape.slice(1).map((d) => d ?? 1)];
    // Integer inputs are indices (an embedding's): zeros are valid ones.
    return input.dtype === 'int32' ? tf.zeros(shape, 'int32') : tf.randomNormal(shape);
  });
}

/** Runs every call once; `onCall` sees each call's outputs (still alive) and may wait on them. */
async function pass(calls: ModelCalls, inputs: tf.Tensor[], onCall: (call: LayerCall, run: () => tf.Tensor[]) => Promise<tf.Tensor[]>): Promise<void> {
  const outputs: tf.Tensor[][] = [];
  try {
    for (const call of calls.calls) {
      const args = call.inputs.map((t) => {
        const from = t.from;
        if (!from) throw new Error(`no source for an input of ${call.layer.name}`);
        return from.kind === 'input' ? inputs[from.index] : outputs[from.call][from.tensor];
      });
      const layer = call.layer as unknown as tf.layers.Layer;
      const run = () => {
        // tidy keeps the outputs and frees what the layer made on the way.
        const out = tf.tidy(() => layer.apply(args.length === 1 ? args[0] : args, { training: false }) as tf.Tensor | tf.Tensor[]);
        return Array.isArray(out) ? out : [out];
      };
      outputs.push(await onCall(call, run));
    }
  } finally {
    for (const out of outputs) tf.dispose(out);
  }
}

/** Forward ms of each of the model's own layer calls (by `forwardTimeKey`), or null when the model cannot be applied layer by layer. */
export async function layerForwardTimes(model: tf.LayersModel, samples: number): Promise<Map<string, number> | null> {
  const calls = modelCalls(model as never);
  const inputs = inputTensors(calls, samples);
  const times = new Map<string, number>();
  try {
    await pass(calls, inputs, async (_call, run) => {
      const out = run();
      await Promise.all(out.map((t) => t.data()));
      return out;
    });
    await pass(calls, inputs, async (call, run) => {
      const start = performance.now();
      const out = run();
      await Promise.all(out.map((t) => t.data()));
      const key = forwardTimeKey(call.layer.name, call.nodeIndex);
      times.set(key, (times.get(key) ?? 0) + performance.now() - start);
      return out;
    });
    return times;
  } catch {
    // A layer that will not run on its own (a custom one with needs of its own): the summary goes without times.
    return null;
  } finally {
    tf.dispose(inputs);
  }
}

/**
 * The summary with each layer's approximate forward time, when the backend can afford a timed pass
 * at the summary's batch size (bounded as above); else `summary` itself.
 */
export async function withForwardTimes(loaded: LoadedModel, summary: ModelSummary, options: SummaryOptions, backend: BackendName): Promise<ModelSummary> {
  const perSample = summary.totals.multAdds / Math.max(1, summary.batchSize);
  const samples = timedSampleCount(perSample, summary.batchSize, backend);
  if (samples === 0) return summary;
  const times = await layerForwardTimes(loaded.model, samples);
  if (!times) return summary;
  return computeSummary(loaded.model, { ...options, forwardMs: times, timedSamples: samples });
}
