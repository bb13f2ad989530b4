// The backends bench's third workload (BENCH_WORKLOADS=resnet18, or by default where a GPU adapter is
// found): the CIFAR ResNet-18 of the tests' fixture (conv + batch norm helpers, basic blocks, four
// stages of two), trained on random 32×32 RGB images of 10 classes, batch 32, SGD with momentum 0.9,
// lr 0.01. bench/torchTrain.py --model resnet18 builds the same network in PyTorch.
import * as tf from '@tensorflow/tfjs';
import resnet18 from '../../test/fixtures/resnet18-helpers';

const SAMPLES = 1024;

export default {
  name: 'CIFAR ResNet-18 (bench)',
  model: resnet18.model,
  data: () => ({
    train: { x: tf.randomUniform([SAMPLES, 32, 32, 3], 0, 1, 'float32', 2023), y: tf.randomUniform([SAMPLES], 0, 10, 'int32', 2024) },
    test: { x: tf.randomUniform([8, 32, 32, 3], 0, 1, 'float32', 2025), y: tf.randomUniform([8], 0, 10, 'int32', 2026) },
  }),
  training: {
    epochs: 1,
    batchSize: 32,
    seed: 2023,
    optimizer: { type: 'sgd', learningRate: 0.01, momentum: 0.9 },
    loss: 'categoricalCrossentropy',
  },
};
