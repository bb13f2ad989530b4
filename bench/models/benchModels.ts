// Models for the webview benchmark, built with tf.layers: Keras's ResNet-50 (177 layers), a chain
// of 2,000 layers, and a 1,000-node DAG with a skip connection every 5 nodes.
import * as tf from '@tensorflow/tfjs';

type T = tf.SymbolicTensor;
const apply = (layer: tf.layers.Layer, x: T | T[]) => layer.apply(x) as T;

function convBn(x: T, filters: number, kernel: number, strides: number, name: string, relu = true): T {
  let y = apply(tf.layers.conv2d({ filters, kernelSize: kernel, strides, padding: 'same', name: `${name}_conv` }), x);
  y = apply(tf.layers.batchNormalization({ axis: 3, name: `${name}_bn` }), y);
  return relu ? apply(tf.layers.activation({ activation: 'relu', name: `${name}_relu` }), y) : y;
}

function bottleneck(x: T, filters: number, strides: number, project: boolean, name: string): T {
  const shortcut = project ? convBn(x, 4 * filters, 1, strides, `${name}_0`, false) : x;
  let y = convBn(x, filters, 1, strides, `${name}_1`);
  y = convBn(y, filters, 3, 1, `${name}_2`);
  y = convBn(y, 4 * filters, 1, 1, `${name}_3`, false);
  y = apply(tf.layers.add({ name: `${name}_add` }), [shortcut, y]);
  return apply(tf.layers.activation({ activation: 'relu', name: `${name}_out` }), y);
}

export function resnet50(): tf.LayersModel {
  const input = tf.input({ shape: [64, 64, 3], name: 'input_1' });
  let x = apply(tf.layers.zeroPadding2d({ padding: 3, name: 'conv1_pad' }), input);
  x = apply(tf.layers.conv2d({ filters: 64, kernelSize: 7, strides: 2, name: 'conv1_conv' }), x);
  x = apply(tf.layers.batchNormalization({ axis: 3, name: 'conv1_bn' }), x);
  x = apply(tf.layers.activation({ activation: 'relu', name: 'conv1_relu' }), x);
  x = apply(tf.layers.zeroPadding2d({ padding: 1, name: 'pool1_pad' }), x);
  x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1_pool' }), x);
  const stages: [number, number, number][] = [[64, 3, 1], [128, 4, 2], [256, 6, 2], [512, 3, 2]];
  stages.forEach(([filters, blocks, stride], s) => {
    for (let b = 0; b < blocks; b++) x = bottleneck(x, filters, b === 0 ? stride : 1, b === 0, `conv${s + 2}_block${b + 1}`);
  });
  x = apply(tf.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
  x = apply(tf.layers.dense({ units: 1000, activation: 'softmax', name: 'predictions' }), x);
  return tf.model({ inputs: input, outputs: x, name: 'resnet50' });
}

/** Neighbouring layers differ in width, so no run of identical blocks folds. */
export function chain(n: number): tf.LayersModel {
  const layers: tf.layers.Layer[] = [tf.layers.dense({ inputShape: [4], units: 4, name: 'd0' })];
  for (let i = 1; i < n; i++) layers.push(tf.layers.dense({ units: 4 + (i % 3), name: `d${i}` }));
  return tf.sequential({ layers, name: `chain_${n}` });
}

export function dagWithSkips(n: number): tf.LayersModel {
  const input = tf.input({ shape: [6], name: 'x' });
  const outs: T[] = [input];
  for (let i = 1; i < n; i++) {
    const prev = outs[i - 1];
    if (i % 5 === 0) outs.push(apply(tf.layers.add({ name: `add${i}` }), [prev, outs[i - 5]]));
    else outs.push(apply(tf.layers.dense({ units: 6, name: `d${i}` }), prev));
  }
  return tf.model({ inputs: input, outputs: outs[n - 1], name: `dag_${n}` });
}
