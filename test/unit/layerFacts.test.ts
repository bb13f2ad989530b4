import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { layerFacts } from '../../src/model/layerFacts';

describe('layer facts from a layer config', () => {
  it('states a strided, dilated conv’s strides, padding, dilation, activation and initialisers', () => {
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', dilationRate: 1, activation: 'relu', kernelInitializer: 'heNormal', inputShape: [8, 8, 1] });
    const facts = layerFacts(conv.getConfig() as Record<string, unknown>);
    assert.equal(facts.Strides, '2×2');
    assert.equal(facts.Padding, 'same');
    assert.equal(facts.Activation, 'relu');
    assert.equal(facts['Kernel init'], 'VarianceScaling');
    assert.equal(facts['Bias init'], 'Zeros');
    assert.ok(!('Dilation' in facts), 'a dilation of 1 is no fact');
    const dilated = layerFacts(tf.layers.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, useBias: false, inputShape: [8, 8, 1] }).getConfig() as Record<string, unknown>);
    assert.equal(dilated.Dilation, '2×2');
    assert.ok(!('Bias init' in dilated), 'no bias, no bias initialiser');
  });

  it('leaves out a linear activation and says nothing for a layer without such settings', () => {
    assert.ok(!('Activation' in layerFacts(tf.layers.dense({ units: 2, inputShape: [3] }).getConfig() as Record<string, unknown>)));
    assert.deepEqual(layerFacts(tf.layers.flatten().getConfig() as Record<string, unknown>), {});
    assert.deepEqual(layerFacts(tf.layers.dropout({ rate: 0.25 }).getConfig() as Record<string, unknown>), { Rate: '0.25' });
  });
});
