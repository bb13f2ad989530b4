// An Adam optimizer whose step per variable is one kernel: ModelLensAdamUpdate (adamUpdate.ts) on
// the wasm backend, tfjs's own update elsewhere.
import * as tf from '@tensorflow/tfjs-core';
import { ADAM_UPDATE, type AdamUpdateAttrs } from './adamUpdate';

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
 * tf.train.adam, with each variable's step as one kernel (ModelLensAdamUpdate, adamUpdate.ts)
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
