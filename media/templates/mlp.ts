// The course's first network: a multi-layer perceptron that reads a 28×28 digit and says which
// of 10 classes it is. Run "Model Lens: Train Model", or `model-lens summary examples/mnist-mlp.ts`.
import * as tf from '@tensorflow/tfjs';
import { defineExperiment } from 'model-lens';

export default defineExperiment({
  name: 'MNIST MLP',
  model: () =>
    tf.sequential({
      name: 'mnist_mlp',
      layers: [
        // 28×28×1 pixels → a vector of 784 numbers (no weights: it only reshapes).
        tf.layers.flatten({ inputShape: [28, 28, 1], name: 'flatten' }),
        // Each hidden layer: 784×512 weights + 512 biases = 401,920 parameters, then ReLU.
        tf.layers.dense({ units: 512, activation: 'relu', name: 'fc1' }),
        tf.layers.dense({ units: 128, activation: 'relu', name: 'fc2' }),
        // One output per digit; softmax turns them into probabilities.
        tf.layers.dense({ units: 10, activation: 'softmax', name: 'fc3' }),
      ],
    }),
  // Pixels scaled to [0, 1], then normalised with mean 0.5 and std 0.5 (as transforms.Normalize).
  data: { dataset: 'mnist', normalize: { mean: 0.5, std: 0.5 } },
  training: {
    epochs: 5,
    batchSize: 128,
    seed: 2023,
    optimizer: { type: 'sgd', learningRate: 0.1 },
    loss: 'categoricalCrossentropy',
  },
});
