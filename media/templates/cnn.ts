// A small convolutional network for MNIST: convolutions learn local strokes, pooling halves the
// image, and a dense head classifies. Compare its parameter count with the MLP's in the summary.
import * as tf from '@tensorflow/tfjs';
import { defineExperiment } from 'model-lens';

export default defineExperiment({
  name: 'MNIST CNN',
  model: () =>
    tf.sequential({
      name: 'mnist_cnn',
      layers: [
        // 32 filters of 3×3 over one channel: 3·3·1·32 + 32 = 320 parameters.
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu', name: 'conv1' }),
        tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
        // 64 filters over 32 channels: 3·3·32·64 + 64 = 18,496 parameters.
        tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', name: 'conv2' }),
        tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
        tf.layers.flatten({ name: 'flatten' }),
        tf.layers.dense({ units: 128, activation: 'relu', name: 'fc1' }),
        tf.layers.dense({ units: 10, activation: 'softmax', name: 'fc2' }),
      ],
    }),
  data: { dataset: 'mnist', normalize: { mean: 0.5, std: 0.5 } },
  training: {
    epochs: 2,
    batchSize: 64,
    seed: 2023,
    optimizer: { type: 'adam', learningRate: 0.001 },
    loss: 'categoricalCrossentropy',
  },
});
