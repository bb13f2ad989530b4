import * as tf from '@tensorflow/tfjs';
import type { LooseOptimizerSpec, OptimizerSpec } from '../protocol/experimentSpec';
import { UserError } from '../model/userError';
import { ADAM_UPDATE, type AdamUpdateAttrs } from './kernels/adamUpdate';

interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
  incrementIterations(): void;
}

/**
 * tf.train.adam, with each variable's step as one kernel (ModelLensAdamUpdate, kernels/adamUpdate.ts)
 * where the backend has it: the same float32 arithmetic in the same order, the same state (moments,
 * β powers, iterations), so getWeights/setWeights and the serialised class name stay tfjs's.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (!tf.getKernel(ADAM_UPDATE, tf.getBackend())) return super.applyGradients(variableGradients);
    const self = this as unknown as AdamState;
    const named: { name: string; tensor: tf.Tensor }[] = Array.isArray(variableGradients)
      ? variableGradients : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name] }));
    tf.tidy(() => {
      const c1 = tf.sub(1, self.accBeta1);
      const c2 = tf.sub(1, self.accBeta2);
      const attrs: AdamUpdateAttrs = { beta1: self.beta1, beta2: self.beta2, epsilon: self.epsilon, learningRate: self.learningRate };
      named.forEach(({ name, tensor: gradient }, i) => {
        const value = tf.engine().registeredVariables[name];
        self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        if (gradient == null) return;
        const m = self.accumulatedFirstMoment[i].variable;
        const v = self.accumulatedSecondMoment[i].variable;
        const [newValue, newM, newV] = tf.engine().runKernel(ADAM_UPDATE, { value, m, v, g: gradient, c1, c2 }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(newM);
        v.assign(newV);
        value.assign(newValue);
      });
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    self.incrementIterations();
  }
}

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
