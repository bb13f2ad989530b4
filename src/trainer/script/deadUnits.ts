// Dead ReLUs seen from a script's gradients. A script runs its own forward pass (no taps as in an
// experiment), but a ReLU unit that outputs 0 for every sample (and position) of the batch passes
// no gradient, so its bias's gradient is exactly 0: the share of zero bias gradients of a ReLU layer
// is its share of dead units, read with the sampled step's other figures.
import type * as tfType from '@tensorflow/tfjs';
import type { LayerActivation } from '../../protocol/doctorMessages';
import type { GradientLayer } from '../gradientStats';
import { layerActivation } from '../modelDoctor';

type Tf = typeof tfType;

export interface ReluBias {
  layer: string;
  bias: tfType.Variable;
}

/** The ReLU layers that train a bias, input to output. */
export function reluBiases(layers: GradientLayer[]): ReluBias[] {
  const out: ReluBias[] = [];
  for (const l of layers) {
    if (l.frozen || layerActivation(l.layer) !== 'relu') continue;
    const bias = l.variables.find((v) => v.rank === 1 && /bias$/.test(v.name));
    if (bias) out.push({ layer: l.name, bias });
  }
  return out;
}

/** Per ReLU layer, the share of its bias gradient that is exactly 0 (a layer without a gradient here: -1). */
export function deadShareTensor(tf: Tf, relus: ReluBias[], grads: tfType.NamedTensorMap): tfType.Tensor1D {
  if (relus.length === 0) return tf.tensor1d([]);
  return tf.tidy(() => tf.stack(relus.map((r) => {
    const g = grads[r.bias.name];
    return g ? tf.mean(tf.cast(tf.equal(g, 0), 'float32')) : tf.scalar(-1);
  })) as tfType.Tensor1D);
}

/** The shares read back, as the activation figures the training doctor reads (the other figures unknown). */
export function deadActivations(relus: ReluBias[], shares: ArrayLike<number>): LayerActivation[] {
  return relus.flatMap((r, i) => (shares[i] < 0 ? [] : [{
    layer: r.layer, activation: 'relu', mean: null, std: null, deadShare: shares[i], saturatedShare: null,
  }]));
}
