// A TensorFlow Playground set in two dimensions: trains in seconds, so you can watch the gradients
// of every layer change. Try 'circle', 'xor', 'gauss' or 'spiral', more layers, or tanh vs relu.
import * as tf from '@tensorflow/tfjs';
import { defineExperiment } from 'model-lens';

export default defineExperiment({
  name: 'Spiral',
  model: () =>
    tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [2], units: 8, activation: 'tanh', name: 'hidden1' }),
        tf.layers.dense({ units: 8, activation: 'tanh', name: 'hidden2' }),
        tf.layers.dense({ units: 2, activation: 'softmax', name: 'output' }),
      ],
    }),
  // 500 points, half for training; noise 0–50 as in the Playground.
  data: { dataset: 'spiral', numSamples: 500, noise: 10 },
  training: {
    epochs: 50,
    batchSize: 10,
    seed: 1,
    optimizer: { type: 'adam', learningRate: 0.03 },
    loss: 'categoricalCrossentropy',
    gradientEvery: 5,
  },
});
