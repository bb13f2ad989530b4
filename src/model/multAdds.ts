// Mult-adds of one layer call, by torchinfo's definitions (layer_info.calculate_macs):
// parameters × the positions they are applied at × batch. Layers without weights cost 0.
import type { Shape } from '../protocol/modelInfo';
import { sizeOf, type WeightLike } from './modelStructure';

const RECURRENT = /^(LSTM|GRU|SimpleRNN|RNN|Bidirectional|ConvLSTM2D|LSTMCell|GRUCell|SimpleRNNCell)$/;
/** Weights torchinfo counts for BatchNorm: weight (gamma) and bias (beta), not the running stats. */
const NORM_AFFINE = /(^|\/)(gamma|beta)$/;

export interface MultAddsInput {
  className: string;
  weights: WeightLike[];
  inputShapes: Shape[];
  outputShape: Shape;
  batch: number;
  channelsFirst: boolean;
}

export function layerMultAdds({ className, weights, inputShapes, outputShape, batch, channelsFirst }: MultAddsInput): number {
  const params = weights.reduce((n, w) => n + sizeOf(w.shape), 0);
  if (params === 0) return 0;
  if (RECURRENT.test(className)) {
    // torch RNN weights are named weight_ih_l0…: torchinfo multiplies by batch × timesteps.
    const timesteps = inputShapes[0]?.[1] ?? 1;
    return params * batch * timesteps;
  }
  if (className.includes('Conv')) {
    // Conv: params × batch × output positions (every dimension but batch and channels).
    const spatial = channelsFirst ? outputShape.slice(2) : outputShape.slice(1, -1);
    return params * batch * sizeOf(spatial);
  }
  if (className === 'BatchNormalization') {
    const affine = weights.filter((w) => NORM_AFFINE.test(w.originalName)).reduce((n, w) => n + sizeOf(w.shape), 0);
    return affine * batch;
  }
  if (className === 'Dense' || className === 'TimeDistributed') {
    // A Dense applied to [batch, ..., features] runs once per position of the middle dimensions.
    return params * batch * sizeOf(outputShape.slice(1, -1));
  }
  return params * batch;
}

/** The shape of a layer's main kernel as Keras stores it (e.g. Dense [in, out], Conv2D [kh, kw, in, out]). */
export function kernelShape(weights: WeightLike[]): number[] | null {
  const kernel = weights.find((w) => /(^|\/)(depthwise_kernel|kernel|embeddings)$/.test(w.originalName));
  return kernel ? [...kernel.shape] : null;
}
