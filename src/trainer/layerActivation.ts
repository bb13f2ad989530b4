// A layer seen as the trace splits it: its linear part (the activation swapped for linear while it
// runs) and its own activation, shown as a step of its own.
import * as tf from '@tensorflow/tfjs';

export interface Activation {
  apply(x: tf.Tensor): tf.Tensor;
  getClassName(): string;
}
export type Layer = tf.layers.Layer & { activation?: Activation };

let linear: Activation | null = null;
/** tfjs's own linear activation object (a Dense layer made without one holds it; nothing is allocated). */
const linearActivation = (): Activation => (linear ??= (tf.layers.dense({ units: 1 }) as unknown as { activation: Activation }).activation);

/** The layer's activation when it has one of its own that is not linear. */
export function ownActivation(layer: Layer): Activation | null {
  const act = layer.activation;
  return act && typeof act.apply === 'function' && act.getClassName().toLowerCase() !== 'linear' ? act : null;
}

export function activationName(layer: Layer): string | null {
  const name = (layer.getConfig() as { activation?: unknown }).activation;
  return typeof name === 'string' ? name : null;
}

/** The layer's output before its activation (inputs: one tensor, or a merge layer's several). */
export function linearPart(layer: Layer, hasActivation: boolean): (inputs: tf.Tensor[]) => tf.Tensor {
  const apply = (inputs: tf.Tensor[]) => layer.apply(inputs.length === 1 ? inputs[0] : inputs, { training: false }) as tf.Tensor;
  if (!hasActivation) return apply;
  return (inputs) => {
    const act = layer.activation;
    layer.activation = linearActivation();
    try { return apply(inputs); } finally { layer.activation = act; }
  };
}

export function trainableVariables(layer: Layer): tf.Variable[] {
  return (layer.trainableWeights as unknown as { read(): tf.Variable }[]).map((w) => w.read());
}
