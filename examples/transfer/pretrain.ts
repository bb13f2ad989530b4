// Transfer learning, step 1: train a small CNN on the digits 0–4 and save it.
// `model-lens train examples/transfer/pretrain.ts` writes ./pretrained/model.json + weights.bin.
import * as tf from '@tensorflow/tfjs';
import { defineExperiment } from 'model-lens';

/** The convolutional base: it learns strokes and shapes, which help with any digit. */
export function convBase(): tf.Sequential {
  return tf.sequential({
    name: 'conv_base',
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'relu', name: 'conv1' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', name: 'conv2' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
      tf.layers.flatten({ name: 'flatten' }),
    ],
  });
}

export default defineExperiment({
  name: 'Pretrain on digits 0–4',
  model: () => {
    const base = convBase();
    // A head for the 5 classes of this task; fine-tuning replaces it.
    base.add(tf.layers.dense({ units: 5, activation: 'softmax', name: 'head_0_4' }));
    return base;
  },
  data: { dataset: 'mnist', normalize: { mean: 0.5, std: 0.5 }, classes: [0, 1, 2, 3, 4] },
  training: {
    epochs: 1,
    batchSize: 64,
    seed: 2023,
    optimizer: { type: 'adam', learningRate: 0.001 },
    loss: 'categoricalCrossentropy',
    save: './pretrained',
  },
});
