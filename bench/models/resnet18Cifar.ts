// The backends bench's third workload (BENCH_WORKLOADS=resnet18, or by default where a GPU adapter is
// found): a CIFAR ResNet-18 as people write it (conv + batch norm helpers, basic blocks, four stages of
// two), trained on random 32×32 RGB images of 10 classes, batch 32, SGD with momentum 0.9, lr 0.01.
// bench/torchTrain.py --model resnet18 builds the same network in PyTorch.
import * as tf from '@tensorflow/tfjs';

type T = tf.SymbolicTensor;

const SAMPLES = 1024;

function convBn(x: T, filters: number, kernel: number, stride: number): T {
  const conv = tf.layers.conv2d({ filters, kernelSize: kernel, strides: stride, padding: 'same', useBias: false, kernelInitializer: 'heNormal' }).apply(x) as T;
  return tf.layers.batchNormalization().apply(conv) as T;
}

function basicBlock(x: T, filters: number, stride: number): T {
  let h = convBn(x, filters, 3, stride);
  h = tf.layers.reLU().apply(h) as T;
  h = convBn(h, filters, 3, 1);
  const channels = x.shape[x.shape.length - 1];
  const shortcut = stride !== 1 || channels !== filters ? convBn(x, filters, 1, stride) : x;
  return tf.layers.reLU().apply(tf.layers.add().apply([h, shortcut]) as T) as T;
}

export default {
  name: 'CIFAR ResNet-18 (bench)',
  model: () => {
    const input = tf.input({ shape: [32, 32, 3], name: 'image' });
    let x = tf.layers.reLU().apply(convBn(input, 64, 3, 1)) as T;
    for (const [i, filters] of [64, 128, 256, 512].entries()) {
      for (let b = 0; b < 2; b++) x = basicBlock(x, filters, i > 0 && b === 0 ? 2 : 1);
    }
    x = tf.layers.globalAveragePooling2d({}).apply(x) as T;
    const out = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(x) as T;
    return tf.model({ inputs: input, outputs: out, name: 'resnet18' });
  },
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
