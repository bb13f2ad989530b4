// Dead ReLUs seen from a script's gradients. A script runs its own forward pass (no taps as in an
// experiment), but a ReLU unit that outputs 0 for every sample (and position) of the batch passes
// no gradient: its bias's gradient is exactly 0, and so is its column of the kernel's gradient (the
// weights into it). The share of such units of a ReLU layer is its share of dead units, read with the
// sampled step's other figures: from the bias where the layer has one, else from the kernel.
import type * as tfType from '@tensorflow/tfjs';
import type { LayerActivation } from '../../protocol/doctorMessages';
import type { GradientLayer } from '../gradientStats';
import { layerActivation } from '../modelDoctor';

type Tf = typeof tfType;

/** Layers whose kernel's last axis is their units (output channels). */
const KERNEL_LAST_AXIS_IS_UNITS = new Set(['Dense', 'Conv1D', 'Conv2D', 'Conv3D']);

export interface ReluUnits {
  layer: string;
  /** The variable whose gradient tells a unit's: the bias (one value per unit) or the kernel (units last). */
  variable: tfType.Variable;
  from: 'bias' | 'kernel';
}

/** The ReLU layers that train a bias or a kernel with one column per unit, input to output. */
export function reluUnits(layers: GradientLayer[]): ReluUnits[] {
  const out: ReluUnits[] = [];
  for (const l of layers) {
    if (l.frozen || layerActivation(l.layer) !== 'relu') continue;
    const bias = l.variables.find((v) => v.rank === 1 && /bias$/.test(v.name));
    const kernel = KERNEL_LAST_AXIS_IS_UNITS.has(l.layer.getClassName()) ? l.variables.find((v) => v.rank >= 2 && /kernel$/.test(v.name)) : undefined;
    if (bias) out.push({ layer: l.name, variable: bias, from: 'bias' });
    else if (kernel) out.push({ layer: l.name, variable: kernel, from: 'kernel' });
  }
  return out;
}

/** Per ReLU layer, the share of its units whose gradient is exactly 0 (a layer without a gradient here: -1). */
export function deadShareTensor(tf: Tf, relus: ReluUnits[], grads: tfType.NamedTensorMap): tfType.Tensor1D {
  if (relus.length === 0) return tf.tensor1d([]);
  return tf.tidy(() => tf.stack(relus.map((r) => {
    const g = grads[r.variable.name];
    if (!g) return tf.scalar(-1);
    const perUnit = r.from === 'bias' ? g : tf.max(tf.abs(g), g.shape.slice(0, -1).map((_, axis) => axis));
    return tf.mean(tf.cast(tf.equal(perUnit, 0), 'float32'));
  })) as tfType.Tensor1D);
}

/** The shares read back, as the activation figures the training doctor reads (the other figures unknown). */
export function deadActivations(relus: ReluUnits[], shares: ArrayLike<number>): LayerActivation[] {
  return relus.flatMap((r, i) => (shares[i] < 0 ? [] : [{
    layer: r.layer, activation: 'relu', mean: null, std: null, deadShare: shares[i], saturatedShare: null,
  }]));
}
