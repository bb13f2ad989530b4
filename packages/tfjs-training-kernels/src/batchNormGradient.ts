// FusedBatchNorm's gradient as tfjs-core 4.22 defines it (gradients/FusedBatchNorm_grad.ts), but for x's
// gradient: tfjs tiles 1/√(var + ε) of shape [C] out to the whole of x ([N, H, W, C]) with Tile, then
// multiplies; a broadcasting multiply reads the same C values without building that tensor. The values
// are the same bits (the same products in the same order). On the wasm backend the Tile alone was 38% of
// a CIFAR ResNet-18's training step (20 batch norms; stock Tile is an index loop per element), on every
// backend it costs a tensor the size of the activation. Replaced process-wide, once.
import * as tf from '@tensorflow/tfjs-core';

let replaced = false;

export function replaceBatchNormGradient(): void {
  if (replaced) return;
  replaced = true;
  tf.registerGradient({
    kernelName: tf.FusedBatchNorm,
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dyGiven, saved, attrs) => {
      const dy = dyGiven as tf.Tensor;
      const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
      const [x, mean, variance, scale] = saved;
      const scaleValue = scale == null ? tf.scalar(1) : scale;
      const reductionAxes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
      const perChannel = mean.rank === 1;
      const xMinusMean = tf.sub(x, mean);
      const dyTimesScaleValue = tf.mul(dy, scaleValue);
      const oneOverSqrtVariance = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
      const minusHalfRCube = tf.mul(tf.mul(tf.mul(oneOverSqrtVariance, oneOverSqrtVariance), oneOverSqrtVariance), tf.scalar(-0.5));
      const reduced = (t: tf.Tensor) => tf.reshape(perChannel ? tf.sum(t, reductionAxes) : t, mean.shape);
      return {
        // tfjs: mul(mul(dy, tile(reshape(1/√, [1, 1, 1, C]), [N, H, W, 1])), scale) when mean is [C].
        x: () => tf.reshape(tf.mul(tf.mul(dy, oneOverSqrtVariance), scaleValue), x.shape),
        mean: () => reduced(tf.mul(tf.mul(oneOverSqrtVariance, tf.scalar(-1)), dyTimesScaleValue)),
        variance: () => reduced(tf.mul(tf.mul(minusHalfRCube, xMinusMean), dyTimesScaleValue)),
        scale: () => reduced(tf.mul(dy, tf.mul(xMinusMean, oneOverSqrtVariance))),
        offset: () => reduced(dy),
      };
    },
  });
}
