// The trace of one sample through one training step: forward layer by layer, the loss, backward layer
// by layer from the output (each layer's local derivative applied to dL/d(output) by tfjs's autodiff),
// this sample's dL/dW beside the batch mean the update uses, and the update itself (before and after).
// Only for models that are a chain of layers; other models get the loss alone and a note.
import * as tf from '@tensorflow/tfjs';
import { modelCalls } from '../model/layerCalls';
import { isModel, type LayerLike } from '../model/modelStructure';
import type { TraceLayer, TraceLoss, TraceMessage, TraceWeight } from '../protocol/traceMessages';
import { inputSize, type Batch } from '../data/dataSource';
import { batchTensors } from './batchTensors';
import type { RunPlan } from './runPlan';
import { roundForTrace, tensorView } from './tensorViews';

/** Which step to trace, and which sample of its batch (its position, 0-based). */
export interface TraceRequest {
  step: number;
  sample: number;
}

/** Where the traced step is, as trainStep knows it. */
export interface TracedStep {
  epoch: number;
  step: number;
  batch: number;
  /** The step's samples, and where the first of them is in the epoch's order. */
  samples: Batch;
  firstIndex: number;
  lr: number;
}

/** A trace whose update is still to come: the weights as they were, read back before the update. */
export interface PendingTrace {
  message: TraceMessage;
  weights: { view: Omit<TraceWeight, 'delta' | 'after'>; variable: tf.Variable; before: Float32Array; into: TraceWeight[] }[];
}

interface Activation {
  apply(x: tf.Tensor): tf.Tensor;
  getClassName(): string;
}
type Layer = tf.layers.Layer & { activation?: Activation };

/** The model's layers as one chain (nested models opened), or null when it branches, merges or shares layers. */
export function layerChain(model: tf.LayersModel): Layer[] | null {
  const out: Layer[] = [];
  const visit = (owner: LayerLike): boolean => {
    const { inputs, calls, outputs } = modelCalls(owner);
    if (inputs.length !== 1 || outputs.length !== 1) return false;
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i];
      const from = call.inputs.length === 1 ? call.inputs[0].from : null;
      const follows = i === 0 ? from?.kind === 'input' : from?.kind === 'call' && from.call === i - 1;
      if (!follows || call.callCount !== 1 || call.outputs.length !== 1) return false;
      if (isModel(call.layer)) { if (!visit(call.layer)) return false; } else out.push(call.layer as unknown as Layer);
    }
    const last = outputs[0].from;
    return last?.kind === 'call' && last.call === calls.length - 1;
  };
  return visit(model as unknown as LayerLike) ? out : null;
}

let linear: Activation | null = null;
/** tfjs's own linear activation object (a Dense layer made without one holds it; nothing is allocated). */
const linearActivation = (): Activation => (linear ??= (tf.layers.dense({ units: 1 }) as unknown as { activation: Activation }).activation);

/** The layer's activation when it has one of its own that is not linear. */
function ownActivation(layer: Layer): Activation | null {
  const act = layer.activation;
  return act && typeof act.apply === 'function' && act.getClassName().toLowerCase() !== 'linear' ? act : null;
}

function activationName(layer: Layer): string | null {
  const name = (layer.getConfig() as { activation?: unknown }).activation;
  return typeof name === 'string' ? name : null;
}

/** The layer's output before its activation: the activation swapped for linear while it runs. */
function linearPart(layer: Layer, hasActivation: boolean): (a: tf.Tensor) => tf.Tensor {
  const apply = (a: tf.Tensor) => layer.apply(a, { training: false }) as tf.Tensor;
  if (!hasActivation) return apply;
  return (a) => {
    const act = layer.activation;
    layer.activation = linearActivation();
    try { return apply(a); } finally { layer.activation = act; }
  };
}

type Values = ArrayLike<number>;

/**
 * Tensors kept out of a tidy scope and read back together after it (webgpu under Node reads only
 * asynchronously); `add` gives what returns the values once `load` has run.
 */
class LaterReads {
  private readonly tensors: tf.Tensor[] = [];
  private values: Values[] = [];

  add(t: tf.Tensor): () => Values {
    const i = this.tensors.push(tf.keep(t.clone())) - 1;
    return () => this.values[i];
  }

  async load(): Promise<void> {
    try {
      this.values = await Promise.all(this.tensors.map((t) => t.data() as Promise<Values>));
    } finally {
      this.dispose();
    }
  }

  dispose(): void {
    tf.dispose(this.tensors.splice(0));
  }
}

const weightView = (values: Values, shape: number[]) => tensorView(values, shape);
const asList = (values: Values) => Array.from(values, (v) => (Number.isFinite(v) ? roundForTrace(v) : 0));
const shortName = (variable: tf.Variable) => variable.name.split('/').pop()!.replace(/_\d+$/, '');

/** Traces the sample before the update (the gradients of the step are in `grads`); finishTrace completes it after. */
export async function beginTrace(run: RunPlan, at: TracedStep, sample: number, grads: tf.NamedTensorMap): Promise<PendingTrace> {
  const { data, loss } = run;
  const position = Math.min(Math.max(0, sample), at.samples.count - 1);
  const index = at.firstIndex + position;
  const chain = layerChain(run.loaded.model);
  const pending: PendingTrace = {
    message: {
      type: 'trace', epoch: at.epoch, step: at.step, batch: at.batch, batchSize: at.samples.count, sample: position, sampleIndex: index,
      lr: at.lr, optimizer: run.plan.optimizer, rule: updateRule(run.optimizer), layers: [], loss: null as unknown as TraceLoss,
      note: chain ? inferenceNote(chain) : 'This model is not a chain of layers: the trace shows its loss only.',
    },
    weights: [],
  };
  const reads = new LaterReads();
  const view = (t: tf.Tensor) => {
    const values = reads.add(t);
    return () => tensorView(values(), t.shape.slice(1));
  };
  let assemble = () => undefined as void;
  try {
    tf.tidy(() => fillIn());
  } catch (e) {
    reads.dispose();
    throw e;
  }
  await reads.load();
  assemble();
  return pending;

  // Computes every figure in one tidy scope; what reads them back is left in `assemble`.
  function fillIn(): void {
    const { x, y } = batchTensors(oneSample(at.samples, position, inputSize(data.inputShape)), data.inputShape, loss, run.outputs);
    const layers = chain ?? [run.loaded.model as unknown as Layer];
    const steps = layers.map((layer) => {
      const act = ownActivation(layer);
      return { layer, act, linear: linearPart(layer, act !== null) };
    });
    // Forward: every layer's input, pre-activation and output.
    const inputs: tf.Tensor[] = [];
    const pre: (tf.Tensor | null)[] = [];
    const outs: tf.Tensor[] = [];
    let a = x;
    for (const s of steps) {
      inputs.push(a);
      const z = s.linear(a);
      const out = s.act ? s.act.apply(z) : z;
      pre.push(s.act ? z : null);
      outs.push(out);
      a = out;
    }
    const prediction = a;
    const lossOf = (p: tf.Tensor) => loss.fn(y, p);
    let g = tf.grad(lossOf)(prediction);
    const dOut: tf.Tensor[] = [];
    const dPre: (tf.Tensor | null)[] = [];
    const dIn: tf.Tensor[] = [];
    const wGrads: tf.NamedTensorMap[] = [];
    // Backward, output to input: the activation's local derivative, then the layer's.
    for (let i = steps.length - 1; i >= 0; i--) {
      const s = steps[i];
      dOut[i] = g;
      const dz = s.act ? tf.grad((z: tf.Tensor) => tf.sum(tf.mul(s.act!.apply(z), g)))(pre[i]!) : g;
      dPre[i] = s.act ? dz : null;
      const variables = trainableVariables(s.layer);
      wGrads[i] = variables.length > 0 && chain ? tf.variableGrads(() => tf.sum(tf.mul(s.linear(inputs[i]), dz)) as tf.Scalar, variables).grads : {};
      dIn[i] = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(s.linear(input), dz)))(inputs[i]);
      g = dIn[i];
    }
    const lossLater = traceLoss(run, reads, lossOf(prediction), y, prediction, steps.at(-1)!, pre.at(-1) ?? null, dOut.at(-1)!, dPre.at(-1) ?? null);
    const layersLater = !chain ? [] : steps.map((s, i): (() => TraceLayer) => {
      const name = s.act ? activationName(s.layer) : null;
      const relu = name === 'relu' || s.layer.getClassName() === 'ReLU' || (s.layer.getClassName() === 'Activation' && activationName(s.layer) === 'relu');
      const weights: TraceWeight[] = [];
      const weightsLater = trainableVariables(s.layer).flatMap((variable) => {
        const batchGrad = grads[variable.name];
        const sampleGrad = wGrads[i][variable.name];
        if (!batchGrad || !sampleGrad) return [];
        const [before, sampleValues, batchValues] = [reads.add(variable), reads.add(sampleGrad), reads.add(batchGrad)];
        return [() => {
          const was = Float32Array.from(before());
          pending.weights.push({
            view: {
              name: shortName(variable), before: weightView(was, variable.shape),
              sampleGrad: weightView(sampleValues(), variable.shape), batchGrad: weightView(batchValues(), variable.shape),
            },
            variable, before: was, into: weights,
          });
        }];
      });
      const [input, preActivation, output, dOutput, dPreActivation, dInput] =
        [view(inputs[i]), pre[i] ? view(pre[i]!) : null, view(outs[i]), view(dOut[i]), dPre[i] ? view(dPre[i]!) : null, view(dIn[i])];
      const outValues = reads.add(outs[i]);
      return () => {
        weightsLater.forEach((w) => w());
        return {
          layer: s.layer.name, type: s.layer.getClassName(), activation: name, frozen: !s.layer.trainable,
          input: input(), preActivation: preActivation?.() ?? null, output: output(),
          activeShare: relu ? activeShare(outValues()) : null,
          dOutput: dOutput(), dPreActivation: dPreActivation?.() ?? null, dInput: dInput(), weights,
        };
      };
    });
    assemble = () => {
      pending.message.loss = lossLater();
      pending.message.layers = layersLater.map((layer) => layer());
    };
  }
}

/** After the update: each weight's value and change; the trace is then complete. */
export async function finishTrace(pending: PendingTrace): Promise<TraceMessage> {
  for (const w of pending.weights) {
    const after = (await w.variable.data()) as Float32Array;
    const delta = new Float32Array(after.length);
    for (let i = 0; i < after.length; i++) delta[i] = after[i] - w.before[i];
    w.into.push({ ...w.view, delta: weightView(delta, w.variable.shape), after: weightView(after, w.variable.shape) });
  }
  return pending.message;
}

function trainableVariables(layer: Layer): tf.Variable[] {
  return (layer.trainableWeights as unknown as { read(): tf.Variable }[]).map((w) => w.read());
}

function activeShare(values: Values): number {
  let on = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > 0) on++;
  return values.length > 0 ? on / values.length : 0;
}

/** Sample `i` of a batch, as a batch of one. */
function oneSample(batch: Batch, i: number, size: number): Batch {
  const inputs = batch.inputs.slice(i * size, (i + 1) * size);
  if (batch.kind === 'classification') return { kind: 'classification', count: 1, inputs, labels: batch.labels.slice(i, i + 1) };
  const width = batch.targets.length / Math.max(1, batch.count);
  return { kind: 'regression', count: 1, inputs, targets: batch.targets.slice(i * width, (i + 1) * width) };
}

const CROSS_ENTROPIES = new Set(['categoricalCrossentropy', 'sparseCategoricalCrossentropy']);

/** The loss part of the trace, built once `reads` are loaded. */
function traceLoss(
  run: RunPlan, reads: LaterReads, value: tf.Tensor, y: tf.Tensor, prediction: tf.Tensor, last: { layer: Layer; act: Activation | null },
  logits: tf.Tensor | null, dPrediction: tf.Tensor, dLogits: tf.Tensor | null,
): () => TraceLoss {
  const fromLogits = CROSS_ENTROPIES.has(run.loss.name) && last.act?.getClassName().toLowerCase() === 'softmax' && logits !== null && dLogits !== null;
  const [valueRead, pRead, targetRead, logitsRead, gradientRead] =
    [reads.add(value), reads.add(prediction), reads.add(y), fromLogits ? reads.add(logits!) : null, reads.add(fromLogits ? dLogits! : dPrediction)];
  return () => lossFigures(run, valueRead()[0], asList(pRead()), asList(targetRead()), logitsRead ? asList(logitsRead()) : null, asList(gradientRead()));
}

function lossFigures(run: RunPlan, value: number, p: number[], target: number[], logits: number[] | null, outputGradient: number[]): TraceLoss {
  const classification = run.data.task.kind === 'classification';
  const targetClass = !classification ? null : run.loss.targets === 'oneHot' ? target.indexOf(Math.max(...target)) : Math.round(target[0]);
  const predictedClass = !classification ? null : p.length === 1 ? (p[0] > 0.5 ? 1 : 0) : p.indexOf(Math.max(...p));
  return {
    name: run.loss.name, value, targetClass, target: target.slice(0, 512), prediction: p.slice(0, 512), predictedClass,
    logits: logits ? logits.slice(0, 512) : null, outputGradient: outputGradient.slice(0, 512),
  };
}

function inferenceNote(chain: Layer[]): string | null {
  const modal = chain.filter((l) => /Dropout|BatchNormalization|GaussianNoise/.test(l.getClassName())).map((l) => l.name);
  return modal.length > 0
    ? `${modal.join(', ')} run${modal.length === 1 ? 's' : ''} as in inference for the traced sample (dropout off, moving statistics), so its figures differ from its share of the batch.`
    : null;
}

/** The optimizer's update of a weight w with gradient g, as the panel shows it. */
export function updateRule(optimizer: tf.Optimizer): string {
  switch (optimizer.getClassName()) {
    case 'SGD': return 'ΔW = −lr·g';
    case 'Momentum': return 'v ← μ·v + g;  ΔW = −lr·v';
    case 'Adam': case 'FusedAdam': return 'm ← β₁·m + (1−β₁)·g;  v ← β₂·v + (1−β₂)·g²;  ΔW = −lr·m̂ / (√v̂ + ε)';
    case 'RMSProp': return 's ← ρ·s + (1−ρ)·g²;  ΔW = −lr·g / √(s + ε)';
    case 'Adagrad': return 's ← s + g²;  ΔW = −lr·g / √(s + ε)';
    default: return `${optimizer.getClassName()}: ΔW from g (before and after shown)`;
  }
}
