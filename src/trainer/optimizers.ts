import { FusedAdamOptimizer } from '@model-lens/tfjs-training-kernels';
import * as tf from '@tensorflow/tfjs';
import type { LooseOptimizerSpec, OptimizerSpec } from '../protocol/experimentSpec';
import { UserError } from '../model/userError';

const num = (spec: LooseOptimizerSpec, key: string, fallback: number): number => {
  const v = spec[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new UserError(`optimizer "${spec.type}": ${key} must be a non-negative number, got ${JSON.stringify(v)}.`);
  }
  return v;
};

/** tfjs optimizers with PyTorch's defaults where tfjs's differ (eps 1e-8, RMSprop alpha 0.99). */
export function createOptimizer(given: OptimizerSpec | LooseOptimizerSpec): tf.Optimizer {
  const spec = given as LooseOptimizerSpec;
  const lr = num(spec, 'learningRate', NaN);
  switch (spec.type) {
    case 'sgd':
      return spec.momentum ? tf.train.momentum(lr, num(spec, 'momentum', 0), Boolean(spec.nesterov)) : tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, num(spec, 'momentum', 0.9), Boolean(spec.nesterov));
    case 'adam':
      return new FusedAdamOptimizer(lr, num(spec, 'beta1', 0.9), num(spec, 'beta2', 0.999), num(spec, 'epsilon', 1e-8));
    case 'rmsprop':
      return tf.train.rmsprop(lr, num(spec, 'decay', 0.99), num(spec, 'momentum', 0), num(spec, 'epsilon', 1e-8), Boolean(spec.centered));
    case 'adagrad':
      return tf.train.adagrad(lr, num(spec, 'initialAccumulatorValue', 0.1));
    default:
      throw new UserError(`unknown optimizer "${spec.type}".`, null, 'Use one of sgd, momentum, adam, rmsprop, adagrad.');
  }
}

/** How many copies of the trainable weights the optimizer keeps (its slots: moments, velocity, accumulators). */
export function optimizerCopies(spec: OptimizerSpec): number {
  switch (spec.type) {
    case 'sgd': return spec.momentum ? 1 : 0;
    case 'momentum': case 'adagrad': return 1;
    case 'rmsprop': return spec.centered ? 3 : 2;
    default: return 2; // adam
  }
}

/** Sets the learning rate for the next step (SGD and Momentum keep it in a tensor of their own). */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (o.learningRate === lr) return;
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}
