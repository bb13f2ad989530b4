// The arithmetic of the torchinfo-style summary, checked layer by layer. Every expected number is
// worked out here from the layer's definition (Keras parameter counts, torchinfo's mult-adds and
// byte sizes), never copied from computeSummary's output.
//
// torchinfo's definitions used throughout (see src/model/multAdds.ts):
//   mult-adds  Dense / *Conv*: params × batch × output positions
//              recurrent:      params × batch × input timesteps
//              BatchNorm:      batch × (gamma + beta)
//              other weighted: params × batch;   no weights: 0
//   bytes      input = batch × prod(input shape) × 4;  params = 4 × params
//              forward/backward = 2 × Σ over leaf layers with params of (first output elements × 4)
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initInspectionRuntime } from '../../src/model/tfRuntime';
import { computeSummary } from '../../src/model/modelSummary';
import type { ModelSummary, SummaryRow } from '../../src/protocol/modelInfo';

const F32 = 4; // bytes per float32 element

/** The one row named `name` (fails if there is none or more than one). */
function row(summary: ModelSummary, name: string): SummaryRow {
  const found = summary.layers.filter((r) => r.name === name);
  assert.equal(found.length, 1, `expected exactly one row named ${name}, got ${found.length}`);
  return found[0];
}

/** A Sequential of `layers`, with a fixed name so rows are easy to find. */
function seq(name: string, layers: tf.layers.Layer[]): tf.Sequential {
  return tf.sequential({ name, layers });
}

before(async () => {
  await initInspectionRuntime();
});

describe('Dense', () => {
  it('counts in·out weights + out biases, and mult-adds as params × batch', () => {
    const model = seq('dense_2d', [tf.layers.dense({ inputShape: [20], units: 8, name: 'd1' })]);
    const s = computeSummary(model, { batchSize: 4 });
    const d1 = row(s, 'd1');
    assert.equal(d1.type, 'Dense');
    assert.equal(d1.params, 20 * 8 + 8); // 20·8 weights + 8 biases
    assert.equal(d1.trainableParams, 20 * 8 + 8);
    assert.deepEqual(d1.kernelShape, [20, 8]); // Keras kernel [in, out]
    assert.deepEqual(d1.inputShapes, [[4, 20]]);
    assert.deepEqual(d1.outputShape, [4, 8]);
    assert.equal(d1.multAdds, (20 * 8 + 8) * 4); // params × batch 4 × 1 position
    assert.equal(d1.trainable, true);
    assert.equal(d1.paramPercent, 100); // the only layer with weights
    assert.equal(d1.depthIndex, '1-1');
    assert.equal(d1.depth, 1);
    assert.equal(d1.parent, 'dense_2d');
    assert.equal(d1.isContainer, false);
  });

  it('applies a Dense on [batch, T, F] once per timestep: mult-adds = params × batch × T', () => {
    const model = seq('dense_3d', [tf.layers.dense({ inputShape: [5, 6], units: 3, name: 'td' })]);
    const s = computeSummary(model, { batchSize: 2 });
    const td = row(s, 'td');
    assert.equal(td.params, 6 * 3 + 3); // kernel acts on the last axis: 6·3 weights + 3 biases
    assert.deepEqual(td.kernelShape, [6, 3]);
    assert.deepEqual(td.inputShapes, [[2, 5, 6]]);
    assert.deepEqual(td.outputShape, [2, 5, 3]);
    assert.equal(td.multAdds, (6 * 3 + 3) * 2 * 5); // params × batch 2 × 5 timesteps
    assert.equal(s.totals.multAdds, (6 * 3 + 3) * 2 * 5);
  });

  it('splits paramPercent by each layer share and sums the totals of a two-layer stack', () => {
    const model = seq('dense_stack', [
      tf.layers.dense({ inputShape: [20], units: 8, name: 'a' }),
      tf.layers.dense({ units: 4, name: 'b' }),
    ]);
    const s = computeSummary(model, { batchSize: 4 });
    const pa = 20 * 8 + 8; // 168
    const pb = 8 * 4 + 4; // 36
    assert.ok(Math.abs(row(s, 'a').paramPercent - (100 * pa) / (pa + pb)) < 1e-9);
    assert.ok(Math.abs(row(s, 'b').paramPercent - (100 * pb) / (pa + pb)) < 1e-9);
    assert.equal(row(s, 'b').depthIndex, '1-2');
    assert.equal(s.totals.totalParams, pa + pb);
    assert.equal(s.totals.trainableParams, pa + pb);
    assert.equal(s.totals.nonTrainableParams, 0);
    assert.equal(s.totals.multAdds, (pa + pb) * 4);
    assert.equal(s.totals.inputBytes, 4 * 20 * F32); // batch 4 × 20 features × 4 B
    assert.equal(s.totals.forwardBackwardBytes, 2 * (4 * 8 + 4 * 4) * F32); // 2 × (outputs 4·8 + 4·4) × 4 B
    assert.equal(s.totals.paramBytes, (pa + pb) * F32);
    assert.equal(s.totals.totalBytes, 4 * 20 * F32 + 2 * (4 * 8 + 4 * 4) * F32 + (pa + pb) * F32);
  });

  it('counts a Dense without bias as in·out weights only', () => {
    const model = seq('dense_nobias', [tf.layers.dense({ inputShape: [7], units: 3, useBias: false, name: 'nb' })]);
    const s = computeSummary(model, { batchSize: 5 });
    assert.equal(row(s, 'nb').params, 7 * 3); // 7·3 weights, no bias
    assert.equal(row(s, 'nb').multAdds, 7 * 3 * 5); // params × batch 5
  });
});

describe('Conv1D', () => {
  it('counts k·in·filters + filters and multiplies by batch × output length', () => {
    const model = seq('conv1d', [tf.layers.conv1d({ inputShape: [10, 3], filters: 4, kernelSize: 3, name: 'c1' })]);
    const s = computeSummary(model, { batchSize: 2 });
    const c1 = row(s, 'c1');
    assert.equal(c1.type, 'Conv1D');
    assert.equal(c1.params, 3 * 3 * 4 + 4); // 3·3·4 weights + 4 biases
    assert.deepEqual(c1.kernelShape, [3, 3, 4]); // [k, in, filters]
    assert.deepEqual(c1.outputShape, [2, 10 - 3 + 1, 4]); // valid: 10 → 8
    assert.equal(c1.multAdds, (3 * 3 * 4 + 4) * 2 * 8); // params × batch 2 × 8 positions
  });
});

describe('Conv2D', () => {
  it('with valid padding shrinks 28 → 26 and costs params × batch × 26·26', () => {
    const model = seq('conv_valid', [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, name: 'conv' }),
    ]);
    const s = computeSummary(model, { batchSize: 8 });
    const conv = row(s, 'conv');
    assert.equal(conv.type, 'Conv2D');
    assert.equal(conv.params, 3 * 3 * 1 * 32 + 32); // 3·3·1·32 weights + 32 biases = 320
    assert.deepEqual(conv.kernelShape, [3, 3, 1, 32]); // [kh, kw, in, out]
    assert.deepEqual(conv.inputShapes, [[8, 28, 28, 1]]);
    assert.deepEqual(conv.outputShape, [8, 26, 26, 32]); // 28 - 3 + 1 = 26
    assert.equal(conv.multAdds, (3 * 3 * 1 * 32 + 32) * 8 * 26 * 26); // params × batch 8 × 26·26
    assert.equal(s.totals.inputBytes, 8 * 28 * 28 * 1 * F32);
    assert.equal(s.totals.forwardBackwardBytes, 2 * 8 * 26 * 26 * 32 * F32);
    assert.equal(s.totals.paramBytes, (3 * 3 * 1 * 32 + 32) * F32);
  });

  it('with same padding and stride 2 halves 28 → 14', () => {
    const model = seq('conv_same', [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 5, strides: 2, padding: 'same', name: 'cs' }),
    ]);
    const s = computeSummary(model, { batchSize: 8 });
    const cs = row(s, 'cs');
    assert.equal(cs.params, 5 * 5 * 1 * 16 + 16); // 5·5·1·16 weights + 16 biases = 416
    assert.deepEqual(cs.kernelShape, [5, 5, 1, 16]);
    assert.deepEqual(cs.outputShape, [8, 14, 14, 16]); // ceil(28 / 2) = 14
    assert.equal(cs.multAdds, (5 * 5 * 1 * 16 + 16) * 8 * 14 * 14);
  });

  it('with valid padding and stride 2 gives floor((28 - 3) / 2) + 1 = 13', () => {
    const model = seq('conv_stride', [
      tf.layers.conv2d({ inputShape: [28, 28, 3], filters: 8, kernelSize: 3, strides: 2, name: 'cv' }),
    ]);
    const s = computeSummary(model, { batchSize: 3 });
    const cv = row(s, 'cv');
    assert.equal(cv.params, 3 * 3 * 3 * 8 + 8); // 3·3·3·8 weights + 8 biases = 224
    assert.deepEqual(cv.kernelShape, [3, 3, 3, 8]);
    assert.deepEqual(cv.outputShape, [3, 13, 13, 8]);
    assert.equal(cv.multAdds, (3 * 3 * 3 * 8 + 8) * 3 * 13 * 13);
  });

  it('with rectangular kernel and no bias counts kh·kw·in·out only', () => {
    const model = seq('conv_rect', [
      tf.layers.conv2d({ inputShape: [10, 12, 2], filters: 5, kernelSize: [3, 5], useBias: false, name: 'cr' }),
    ]);
    const s = computeSummary(model, { batchSize: 2 });
    const cr = row(s, 'cr');
    assert.equal(cr.params, 3 * 5 * 2 * 5); // 3·5·2·5 weights, no bias = 150
    assert.deepEqual(cr.kernelShape, [3, 5, 2, 5]);
    assert.deepEqual(cr.outputShape, [2, 10 - 3 + 1, 12 - 5 + 1, 5]); // 8 × 8
    assert.equal(cr.multAdds, 3 * 5 * 2 * 5 * 2 * 8 * 8);
  });

  it('in channelsFirst format counts the spatial positions after the channel axis', () => {
    const model = seq('conv_cf', [
      tf.layers.conv2d({ inputShape: [3, 32, 32], filters: 8, kernelSize: 3, dataFormat: 'channelsFirst', name: 'ccf' }),
    ]);
    const s = computeSummary(model, { batchSize: 2 });
    const ccf = row(s, 'ccf');
    assert.equal(ccf.params, 3 * 3 * 3 * 8 + 8); // 3·3·3·8 weights + 8 biases = 224
    assert.deepEqual(ccf.outputShape, [2, 8, 30, 30]); // [batch, C, H, W], 32 - 3 + 1 = 30
    assert.equal(ccf.multAdds, (3 * 3 * 3 * 8 + 8) * 2 * 30 * 30); // positions 30·30, not 8·30
  });
});

describe('DepthwiseConv2D', () => {
  it('counts kh·kw·in·multiplier + in·multiplier and reports the depthwise kernel', () => {
    const model = seq('dw', [
      tf.layers.depthwiseConv2d({ inputShape: [16, 16, 8], kernelSize: 3, depthMultiplier: 2, name: 'dwc' }),
    ]);
    const s = computeSummary(model, { batchSize: 2 });
    const dwc = row(s, 'dwc');
    assert.equal(dwc.type, 'DepthwiseConv2D');
    assert.equal(dwc.params, 3 * 3 * 8 * 2 + 8 * 2); // 3·3·8·2 weights + 8·2 biases = 160
    assert.deepEqual(dwc.kernelShape, [3, 3, 8, 2]); // [kh, kw, in, multiplier]
    assert.deepEqual(dwc.outputShape, [2, 14, 14, 8 * 2]); // 16 - 3 + 1 = 14, channels in·multiplier
    assert.equal(dwc.multAdds, (3 * 3 * 8 * 2 + 8 * 2) * 2 * 14 * 14);
  });
});

describe('SeparableConv2D', () => {
  it('counts depthwise + pointwise + bias weights and reports the depthwise kernel', () => {
    const model = seq('sep', [
      tf.layers.separableConv2d({
        inputShape: [16, 16, 8], filters: 12, kernelSize: 3, depthMultiplier: 2, padding: 'same', name: 'sc',
      }),
    ]);
    const s = computeSummary(model, { batchSize: 2 });
    const sc = row(s, 'sc');
    assert.equal(sc.type, 'SeparableConv2D');
    // 3·3·8·2 depthwise + 8·2·12 pointwise + 12 biases = 144 + 192 + 12 = 348
    assert.equal(sc.params, 3 * 3 * 8 * 2 + 8 * 2 * 12 + 12);
    assert.deepEqual(sc.kernelShape, [3, 3, 8, 2]);
    assert.deepEqual(sc.outputShape, [2, 16, 16, 12]); // same padding keeps 16 × 16
    assert.equal(sc.multAdds, (3 * 3 * 8 * 2 + 8 * 2 * 12 + 12) * 2 * 16 * 16);
  });
});

describe('BatchNormalization', () => {
  it('has 4·C params of which gamma and beta (2·C) are trainable and the moving stats are not', () => {
    const model = seq('bn_dense', [
      tf.layers.dense({ inputShape: [10], units: 6, name: 'pre' }),
      tf.layers.batchNormalization({ name: 'bn' }),
    ]);
    const s = computeSummary(model, { batchSize: 4 });
    const bn = row(s, 'bn');
    assert.equal(bn.type, 'BatchNormalization');
    assert.equal(bn.params, 4 * 6); // gamma, beta, moving mean, moving variance: 6 each
    assert.equal(bn.trainableParams, 2 * 6); // gamma + beta
    assert.equal(bn.trainable, 'partial');
    assert.equal(bn.kernelShape, null);
    assert.deepEqual(bn.outputShape, [4, 6]);
    assert.equal(bn.multAdds, 4 * (6 + 6)); // batch 4 × (gamma 6 + beta 6)
    const dense = 10 * 6 + 6; // 10·6 weights + 6 biases
    assert.equal(s.totals.totalParams, dense + 4 * 6);
    assert.equal(s.totals.trainableParams, dense + 2 * 6);
    assert.equal(s.totals.nonTrainableParams, 2 * 6);
    assert.equal(s.totals.multAdds, dense * 4 + 4 * (6 + 6));
    assert.equal(s.totals.paramBytes, (dense + 4 * 6) * F32);
    assert.equal(s.totals.forwardBackwardBytes, 2 * (4 * 6 + 4 * 6) * F32); // dense and bn outputs
  });

  it('after a conv normalises the channel axis: params 4·channels, mult-adds batch × 2·channels', () => {
    const model = seq('bn_conv', [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, name: 'bc' }),
      tf.layers.batchNormalization({ name: 'bn2' }),
    ]);
    const s = computeSummary(model, { batchSize: 3 });
    const bn = row(s, 'bn2');
    assert.equal(bn.params, 4 * 4); // 4 channels × (gamma, beta, mean, variance)
    assert.equal(bn.trainableParams, 2 * 4);
    assert.deepEqual(bn.outputShape, [3, 6, 6, 4]);
    assert.equal(bn.multAdds, 3 * (4 + 4)); // batch 3 × (gamma 4 + beta 4), not per position
  });
});

describe('Embedding', () => {
  it('counts vocab·dim weights and mult-adds params × batch', () => {
    const model = seq('emb', [tf.layers.embedding({ inputDim: 100, outputDim: 16, inputLength: 7, name: 'e' })]);
    const s = computeSummary(model, { batchSize: 3 });
    const e = row(s, 'e');
    assert.equal(e.type, 'Embedding');
    assert.equal(e.params, 100 * 16); // vocab 100 × dim 16
    assert.deepEqual(e.kernelShape, [100, 16]); // the embeddings matrix
    assert.deepEqual(e.inputShapes, [[3, 7]]);
    assert.deepEqual(e.outputShape, [3, 7, 16]);
    assert.equal(e.multAdds, 100 * 16 * 3); // params × batch 3
    assert.equal(s.totals.inputBytes, 3 * 7 * 4); // 3·7 indices of 4 bytes
    assert.equal(s.totals.forwardBackwardBytes, 2 * 3 * 7 * 16 * F32);
  });
});

describe('LSTM', () => {
  it('counts 4·(units·(in + units) + units) and mult-adds params × batch × timesteps', () => {
    const model = seq('lstm_m', [tf.layers.lstm({ inputShape: [12, 5], units: 8, name: 'l' })]);
    const s = computeSummary(model, { batchSize: 4 });
    const l = row(s, 'l');
    assert.equal(l.type, 'LSTM');
    assert.equal(l.params, 4 * (8 * (5 + 8) + 8)); // 4 gates × (8·(5 + 8) weights + 8 biases) = 448
    assert.equal(l.trainableParams, 4 * (8 * (5 + 8) + 8));
    assert.deepEqual(l.kernelShape, [5, 4 * 8]); // input kernel [in, 4·units]
    assert.deepEqual(l.inputShapes, [[4, 12, 5]]);
    assert.deepEqual(l.outputShape, [4, 8]); // last state only
    assert.equal(l.multAdds, 4 * (8 * (5 + 8) + 8) * 4 * 12); // params × batch 4 × 12 timesteps
  });

  it('with returnSequences outputs [batch, T, units] and costs the same mult-adds', () => {
    const model = seq('lstm_seq', [tf.layers.lstm({ inputShape: [12, 5], units: 8, returnSequences: true, name: 'ls' })]);
    const s = computeSummary(model, { batchSize: 4 });
    const ls = row(s, 'ls');
    assert.deepEqual(ls.outputShape, [4, 12, 8]);
    assert.equal(ls.multAdds, 4 * (8 * (5 + 8) + 8) * 4 * 12);
    assert.equal(s.totals.forwardBackwardBytes, 2 * 4 * 12 * 8 * F32);
  });
});

describe('GRU', () => {
  it('counts 3·(units·(in + units) + units) (tfjs has no reset_after) and params × batch × timesteps', () => {
    const model = seq('gru_m', [tf.layers.gru({ inputShape: [10, 6], units: 4, name: 'g' })]);
    const s = computeSummary(model, { batchSize: 3 });
    const g = row(s, 'g');
    assert.equal(g.type, 'GRU');
    assert.equal(g.params, 3 * (4 * (6 + 4) + 4)); // 3 gates × (4·(6 + 4) weights + 4 biases) = 132
    assert.deepEqual(g.kernelShape, [6, 3 * 4]);
    assert.deepEqual(g.outputShape, [3, 4]);
    assert.equal(g.multAdds, 3 * (4 * (6 + 4) + 4) * 3 * 10); // params × batch 3 × 10 timesteps
  });
});

describe('SimpleRNN', () => {
  it('counts units·(in + units) + units and params × batch × timesteps', () => {
    const model = seq('rnn_m', [tf.layers.simpleRNN({ inputShape: [9, 3], units: 5, name: 'r' })]);
    const s = computeSummary(model, { batchSize: 2 });
    const r = row(s, 'r');
    assert.equal(r.type, 'SimpleRNN');
    assert.equal(r.params, 5 * (3 + 5) + 5); // 5·(3 + 5) weights + 5 biases = 45
    assert.deepEqual(r.kernelShape, [3, 5]);
    assert.deepEqual(r.outputShape, [2, 5]);
    assert.equal(r.multAdds, (5 * (3 + 5) + 5) * 2 * 9); // params × batch 2 × 9 timesteps
  });
});

describe('Bidirectional', () => {
  it('doubles the wrapped LSTM params and concatenates both directions', () => {
    const model = seq('bi_m', [
      tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4 }) as tf.RNN, inputShape: [6, 3], name: 'bi' }),
    ]);
    const s = computeSummary(model, { batchSize: 2 });
    const bi = row(s, 'bi');
    assert.equal(bi.type, 'Bidirectional');
    assert.equal(bi.params, 2 * 4 * (4 * (3 + 4) + 4)); // 2 directions × 4 gates × (4·(3 + 4) + 4) = 256
    assert.deepEqual(bi.outputShape, [2, 2 * 4]); // concat of forward and backward states
    assert.equal(bi.multAdds, 2 * 4 * (4 * (3 + 4) + 4) * 2 * 6); // params × batch 2 × 6 timesteps
  });
});

describe('pooling', () => {
  const build = () =>
    seq('pools', [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, name: 'pc' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'maxp' }),
      tf.layers.averagePooling2d({ poolSize: 2, strides: 2, name: 'avgp' }),
      tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'maxsame' }),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
    ]);

  it('MaxPooling2D halves 26 → 13 and has no params or mult-adds', () => {
    const s = computeSummary(build(), { batchSize: 5 });
    const p = row(s, 'maxp');
    assert.equal(p.type, 'MaxPooling2D');
    assert.deepEqual(p.inputShapes, [[5, 26, 26, 4]]);
    assert.deepEqual(p.outputShape, [5, 13, 13, 4]); // floor(26 / 2)
    assert.equal(p.params, 0);
    assert.equal(p.multAdds, 0);
    assert.equal(p.kernelShape, null);
    assert.equal(p.paramPercent, 0);
  });

  it('AveragePooling2D with valid padding gives floor((13 - 2) / 2) + 1 = 6', () => {
    const s = computeSummary(build(), { batchSize: 5 });
    const p = row(s, 'avgp');
    assert.equal(p.type, 'AveragePooling2D');
    assert.deepEqual(p.outputShape, [5, 6, 6, 4]);
    assert.equal(p.params, 0);
    assert.equal(p.multAdds, 0);
  });

  it('MaxPooling2D with same padding and stride 2 gives ceil(6 / 2) = 3', () => {
    const s = computeSummary(build(), { batchSize: 5 });
    assert.deepEqual(row(s, 'maxsame').outputShape, [5, 3, 3, 4]);
  });

  it('GlobalAveragePooling2D reduces [batch, H, W, C] to [batch, C]', () => {
    const s = computeSummary(build(), { batchSize: 5 });
    const p = row(s, 'gap');
    assert.equal(p.type, 'GlobalAveragePooling2D');
    assert.deepEqual(p.outputShape, [5, 4]);
    assert.equal(p.params, 0);
    assert.equal(p.multAdds, 0);
  });

  it('leaves pooling outputs out of the forward/backward bytes (only the conv has params)', () => {
    const s = computeSummary(build(), { batchSize: 5 });
    const conv = 3 * 3 * 1 * 4 + 4; // 3·3·1·4 weights + 4 biases = 40
    assert.equal(s.totals.totalParams, conv);
    assert.equal(s.totals.multAdds, conv * 5 * 26 * 26);
    assert.equal(s.totals.forwardBackwardBytes, 2 * 5 * 26 * 26 * 4 * F32);
    assert.equal(s.totals.inputBytes, 5 * 28 * 28 * 1 * F32);
  });
});

describe('Flatten', () => {
  it('reshapes [batch, 4, 5, 3] to [batch, 60] with no params', () => {
    const model = seq('flat_m', [
      tf.layers.flatten({ inputShape: [4, 5, 3], name: 'fl' }),
      tf.layers.dense({ units: 2, name: 'after' }),
    ]);
    const s = computeSummary(model, { batchSize: 6 });
    const fl = row(s, 'fl');
    assert.equal(fl.type, 'Flatten');
    assert.deepEqual(fl.outputShape, [6, 4 * 5 * 3]);
    assert.equal(fl.params, 0);
    assert.equal(fl.multAdds, 0);
    assert.equal(row(s, 'after').params, 4 * 5 * 3 * 2 + 2); // 60·2 weights + 2 biases
    assert.equal(s.totals.forwardBackwardBytes, 2 * 6 * 2 * F32); // only the dense output counts
  });
});

describe('Dropout', () => {
  it('keeps the shape, has no params and costs nothing', () => {
    const model = seq('drop_m', [
      tf.layers.dense({ inputShape: [10], units: 10, name: 'h' }),
      tf.layers.dropout({ rate: 0.5, name: 'drop' }),
      tf.layers.dense({ units: 2, name: 'o' }),
    ]);
    const s = computeSummary(model, { batchSize: 7 });
    const drop = row(s, 'drop');
    assert.equal(drop.type, 'Dropout');
    assert.deepEqual(drop.inputShapes, [[7, 10]]);
    assert.deepEqual(drop.outputShape, [7, 10]);
    assert.equal(drop.params, 0);
    assert.equal(drop.multAdds, 0);
    const params = 10 * 10 + 10 + (10 * 2 + 2); // 110 + 22
    assert.equal(s.totals.multAdds, params * 7);
    assert.equal(s.totals.forwardBackwardBytes, 2 * (7 * 10 + 7 * 2) * F32); // dropout output not counted
  });
});

describe('Add and Concatenate in a functional model', () => {
  const build = () => {
    const input = tf.input({ shape: [16], name: 'features' });
    const hidden = tf.layers.dense({ units: 16, name: 'hidden' }).apply(input) as tf.SymbolicTensor;
    const skip = tf.layers.add({ name: 'skip' }).apply([input, hidden]) as tf.SymbolicTensor;
    const side = tf.layers.dense({ units: 4, name: 'side' }).apply(input) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate({ name: 'joined' }).apply([skip, side]) as tf.SymbolicTensor;
    const output = tf.layers.dense({ units: 3, name: 'head' }).apply(joined) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: output, name: 'residual' });
  };

  it('Add takes two same-shape inputs and has no params', () => {
    const s = computeSummary(build(), { batchSize: 8 });
    const add = row(s, 'skip');
    assert.equal(add.type, 'Add');
    assert.deepEqual(add.inputShapes, [[8, 16], [8, 16]]);
    assert.deepEqual(add.outputShape, [8, 16]);
    assert.equal(add.params, 0);
    assert.equal(add.multAdds, 0);
  });

  it('Concatenate joins 16 + 4 features into 20', () => {
    const s = computeSummary(build(), { batchSize: 8 });
    const cat = row(s, 'joined');
    assert.equal(cat.type, 'Concatenate');
    assert.deepEqual(cat.inputShapes, [[8, 16], [8, 4]]);
    assert.deepEqual(cat.outputShape, [8, 16 + 4]);
    assert.equal(cat.params, 0);
    assert.equal(row(s, 'head').params, 20 * 3 + 3); // 20·3 weights + 3 biases
    assert.deepEqual(row(s, 'head').kernelShape, [20, 3]);
  });

  it('lists every layer call once at depth 1 and sums the totals of the three dense layers', () => {
    const s = computeSummary(build(), { batchSize: 8 });
    assert.equal(s.layers[0].name, 'residual');
    assert.equal(s.layers[0].depth, 0);
    assert.deepEqual(s.layers[0].inputShapes, [[8, 16]]);
    assert.deepEqual(s.layers[0].outputShape, [8, 3]);
    assert.deepEqual(s.layers.slice(1).map((r) => r.name).sort(), ['head', 'hidden', 'joined', 'side', 'skip']);
    assert.deepEqual(s.layers.slice(1).map((r) => r.depthIndex).sort(), ['1-1', '1-2', '1-3', '1-4', '1-5']);
    const params = (16 * 16 + 16) + (16 * 4 + 4) + (20 * 3 + 3); // hidden 272 + side 68 + head 63
    assert.equal(s.totals.totalParams, params);
    assert.equal(s.layers[0].params, params);
    assert.equal(s.totals.multAdds, params * 8);
    assert.equal(s.layers[0].multAdds, params * 8);
    assert.equal(s.totals.inputBytes, 8 * 16 * F32);
    assert.equal(s.totals.forwardBackwardBytes, 2 * 8 * (16 + 4 + 3) * F32); // outputs of hidden, side, head
  });
});

describe('nested Sequential inside a Sequential', () => {
  const build = () => {
    const inner = seq('inner', [
      tf.layers.dense({ inputShape: [8], units: 6, name: 'in_d1' }),
      tf.layers.dense({ units: 4, name: 'in_d2' }),
    ]);
    return seq('outer', [inner, tf.layers.dense({ units: 2, name: 'out_head' })]);
  };
  const d1 = 8 * 6 + 6; // 54
  const d2 = 6 * 4 + 4; // 28
  const head = 4 * 2 + 2; // 10

  it('shows the nested model as a container row holding all its weights, with its layers one level deeper', () => {
    const s = computeSummary(build(), { batchSize: 3 });
    assert.deepEqual(s.layers.map((r) => [r.name, r.depthIndex, r.depth, r.parent]), [
      ['outer', '', 0, null],
      ['inner', '1-1', 1, 'outer'],
      ['in_d1', '2-1', 2, 'inner'],
      ['in_d2', '2-2', 2, 'inner'],
      ['out_head', '1-2', 1, 'outer'],
    ]);
    const inner = row(s, 'inner');
    assert.equal(inner.isContainer, true);
    assert.equal(inner.params, d1 + d2);
    assert.equal(inner.kernelShape, null);
    assert.deepEqual(inner.inputShapes, [[3, 8]]);
    assert.deepEqual(inner.outputShape, [3, 4]);
    assert.equal(inner.multAdds, (d1 + d2) * 3); // sum of its layers' mult-adds
    assert.deepEqual(row(s, 'in_d1').outputShape, [3, 6]);
    assert.deepEqual(row(s, 'out_head').inputShapes, [[3, 4]]);
  });

  it('counts nested weights once in the totals', () => {
    const s = computeSummary(build(), { batchSize: 3 });
    assert.equal(s.totals.totalParams, d1 + d2 + head);
    assert.equal(s.layers[0].params, d1 + d2 + head);
    assert.equal(s.totals.multAdds, (d1 + d2 + head) * 3);
    assert.equal(s.layers[0].multAdds, (d1 + d2 + head) * 3);
    assert.equal(s.totals.paramBytes, (d1 + d2 + head) * F32);
    assert.equal(s.totals.inputBytes, 3 * 8 * F32);
    assert.equal(s.totals.forwardBackwardBytes, 2 * 3 * (6 + 4 + 2) * F32); // leaf outputs only
  });

  it('omits rows deeper than depth but keeps the totals unchanged', () => {
    const full = computeSummary(build(), { batchSize: 3, depth: 3 });
    const shallow = computeSummary(build(), { batchSize: 3, depth: 1 });
    assert.equal(shallow.depth, 1);
    assert.deepEqual(shallow.layers.map((r) => r.name), ['outer', 'inner', 'out_head']);
    assert.deepEqual(shallow.totals, full.totals);
    assert.equal(shallow.totals.totalParams, d1 + d2 + head);
    assert.equal(row(shallow, 'inner').multAdds, (d1 + d2) * 3);
    const rootOnly = computeSummary(build(), { batchSize: 3, depth: 0 });
    assert.deepEqual(rootOnly.layers.map((r) => r.name), ['outer']);
    assert.deepEqual(rootOnly.totals, full.totals);
  });
});

describe('functional model nested inside a functional model', () => {
  const build = () => {
    const x = tf.input({ shape: [10], name: 'enc_in' });
    const h = tf.layers.dense({ units: 5, name: 'enc_dense' }).apply(x) as tf.SymbolicTensor;
    const n = tf.layers.batchNormalization({ name: 'enc_bn' }).apply(h) as tf.SymbolicTensor;
    const encoder = tf.model({ inputs: x, outputs: n, name: 'encoder' });
    const inp = tf.input({ shape: [10], name: 'outer_in' });
    const z = encoder.apply(inp) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, name: 'f_head' }).apply(z) as tf.SymbolicTensor;
    return tf.model({ inputs: inp, outputs: out, name: 'outer_fn' });
  };
  const dense = 10 * 5 + 5; // 55
  const bn = 4 * 5; // 20, of which 2·5 trainable
  const head = 5 * 2 + 2; // 12

  it('lists the inner model as a partial-trainable container with its layers at depth 2', () => {
    const s = computeSummary(build(), { batchSize: 4 });
    assert.deepEqual(s.layers.map((r) => [r.name, r.depthIndex, r.depth, r.parent]), [
      ['outer_fn', '', 0, null],
      ['encoder', '1-1', 1, 'outer_fn'],
      ['enc_dense', '2-1', 2, 'encoder'],
      ['enc_bn', '2-2', 2, 'encoder'],
      ['f_head', '1-2', 1, 'outer_fn'],
    ]);
    const enc = row(s, 'encoder');
    assert.equal(enc.isContainer, true);
    assert.equal(enc.params, dense + bn);
    assert.equal(enc.trainableParams, dense + 2 * 5);
    assert.equal(enc.trainable, 'partial');
    assert.deepEqual(enc.outputShape, [4, 5]);
    assert.equal(enc.multAdds, dense * 4 + 4 * (5 + 5)); // dense params × batch + batch × (gamma + beta)
    assert.deepEqual(row(s, 'enc_dense').inputShapes, [[4, 10]]);
  });

  it('totals count the inner weights once and split trainable / non-trainable', () => {
    const s = computeSummary(build(), { batchSize: 4 });
    assert.equal(s.totals.totalParams, dense + bn + head);
    assert.equal(s.totals.trainableParams, dense + 2 * 5 + head);
    assert.equal(s.totals.nonTrainableParams, 2 * 5); // moving mean + moving variance
    assert.equal(s.totals.multAdds, dense * 4 + 4 * (5 + 5) + head * 4);
    assert.equal(s.totals.inputBytes, 4 * 10 * F32);
    assert.equal(s.totals.forwardBackwardBytes, 2 * 4 * (5 + 5 + 2) * F32);
    assert.equal(s.totals.paramBytes, (dense + bn + head) * F32);
  });

  it('with depth 1 hides the inner layers, totals unchanged', () => {
    const full = computeSummary(build(), { batchSize: 4 });
    const shallow = computeSummary(build(), { batchSize: 4, depth: 1 });
    assert.deepEqual(shallow.layers.map((r) => r.name), ['outer_fn', 'encoder', 'f_head']);
    assert.deepEqual(shallow.totals, full.totals);
  });
});

describe('frozen nested model', () => {
  const build = () => {
    const base = seq('base', [
      tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, name: 'base_conv' }),
      tf.layers.batchNormalization({ name: 'base_bn' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'base_pool' }),
    ]);
    base.trainable = false;
    return seq('transfer', [base, tf.layers.flatten({ name: 'flat' }), tf.layers.dense({ units: 5, name: 'new_head' })]);
  };
  const conv = 3 * 3 * 1 * 4 + 4; // 40
  const bn = 4 * 4; // 16
  const head = 5 * 5 * 4 * 5 + 5; // flatten 5·5·4 = 100 inputs × 5 + 5 biases = 505

  it('marks the frozen model and its weighted layers not trainable', () => {
    const s = computeSummary(build(), { batchSize: 2 });
    const base = row(s, 'base');
    assert.equal(base.trainable, false);
    assert.equal(base.params, conv + bn);
    assert.equal(base.trainableParams, 0);
    assert.equal(row(s, 'base_conv').trainable, false);
    assert.equal(row(s, 'base_conv').trainableParams, 0);
    assert.equal(row(s, 'base_bn').trainable, false);
    assert.equal(row(s, 'new_head').trainable, true);
    assert.equal(s.layers[0].trainable, 'partial');
  });

  it('marks a weightless layer inside the frozen model not trainable either', () => {
    const s = computeSummary(build(), { batchSize: 2 });
    assert.equal(row(s, 'base_pool').trainable, false);
  });

  it('counts the frozen weights as non-trainable and still counts their mult-adds', () => {
    const s = computeSummary(build(), { batchSize: 2 });
    assert.equal(s.totals.totalParams, conv + bn + head);
    assert.equal(s.totals.trainableParams, head);
    assert.equal(s.totals.nonTrainableParams, conv + bn);
    assert.deepEqual(row(s, 'base_conv').outputShape, [2, 10, 10, 4]);
    assert.deepEqual(row(s, 'base_pool').outputShape, [2, 5, 5, 4]);
    assert.deepEqual(row(s, 'flat').outputShape, [2, 100]);
    // conv params × batch × 10·10 + batch × (gamma 4 + beta 4) + head params × batch
    assert.equal(s.totals.multAdds, conv * 2 * 10 * 10 + 2 * (4 + 4) + head * 2);
    assert.equal(row(s, 'base').multAdds, conv * 2 * 10 * 10 + 2 * (4 + 4));
    // conv and bn outputs [2, 10, 10, 4] and head output [2, 5]
    assert.equal(s.totals.forwardBackwardBytes, 2 * (2 * 10 * 10 * 4 + 2 * 10 * 10 * 4 + 2 * 5) * F32);
  });
});

describe('course MLP (784-512-128-10) at batch 128', () => {
  const build = () =>
    seq('mnist_mlp', [
      tf.layers.flatten({ inputShape: [28, 28, 1], name: 'flatten' }),
      tf.layers.dense({ units: 512, activation: 'relu', name: 'fc1' }),
      tf.layers.dense({ units: 128, activation: 'relu', name: 'fc2' }),
      tf.layers.dense({ units: 10, activation: 'softmax', name: 'fc3' }),
    ]);
  const fc1 = 784 * 512 + 512; // 401,920
  const fc2 = 512 * 128 + 128; // 65,664
  const fc3 = 128 * 10 + 10; // 1,290

  it('has 468,874 params split 401,920 + 65,664 + 1,290', () => {
    const s = computeSummary(build(), { batchSize: 128 });
    assert.equal(fc1, 401_920);
    assert.equal(fc2, 65_664);
    assert.equal(fc3, 1_290);
    assert.equal(row(s, 'fc1').params, fc1);
    assert.equal(row(s, 'fc2').params, fc2);
    assert.equal(row(s, 'fc3').params, fc3);
    assert.deepEqual(row(s, 'fc1').kernelShape, [784, 512]);
    assert.deepEqual(row(s, 'flatten').outputShape, [128, 28 * 28 * 1]);
    assert.equal(s.totals.totalParams, fc1 + fc2 + fc3);
    assert.equal(s.totals.totalParams, 468_874);
    assert.equal(s.totals.trainableParams, 468_874);
    assert.equal(s.totals.nonTrainableParams, 0);
  });

  it('costs 60,015,872 mult-adds (params × batch 128)', () => {
    const s = computeSummary(build(), { batchSize: 128 });
    assert.equal(row(s, 'fc1').multAdds, fc1 * 128);
    assert.equal(s.totals.multAdds, (fc1 + fc2 + fc3) * 128);
    assert.equal(s.totals.multAdds, 60_015_872);
  });

  it('needs 401,408 B input, 665,600 B forward/backward and 1,875,496 B params', () => {
    const s = computeSummary(build(), { batchSize: 128 });
    const input = 128 * 28 * 28 * 1 * F32; // batch × 784 pixels × 4 B
    const fwdBwd = 2 * 128 * (512 + 128 + 10) * F32; // 2 × outputs of fc1, fc2, fc3 × 4 B
    const params = (fc1 + fc2 + fc3) * F32;
    assert.equal(input, 401_408);
    assert.equal(fwdBwd, 665_600);
    assert.equal(params, 1_875_496);
    assert.equal(s.totals.inputBytes, input);
    assert.equal(s.totals.forwardBackwardBytes, fwdBwd);
    assert.equal(s.totals.paramBytes, params);
    assert.equal(s.totals.totalBytes, input + fwdBwd + params);
    assert.equal(s.batchSize, 128);
  });

  it('gives each dense layer its share of the params in paramPercent', () => {
    const s = computeSummary(build(), { batchSize: 128 });
    const total = fc1 + fc2 + fc3;
    assert.ok(Math.abs(row(s, 'fc1').paramPercent - (100 * fc1) / total) < 1e-9);
    assert.ok(Math.abs(row(s, 'fc2').paramPercent - (100 * fc2) / total) < 1e-9);
    assert.ok(Math.abs(row(s, 'fc3').paramPercent - (100 * fc3) / total) < 1e-9);
    assert.equal(row(s, 'flatten').paramPercent, 0);
  });
});

describe('a layer with several outputs (LSTM returnState)', () => {
  it('counts only its first output in forward/backward bytes, as torchinfo’s nested_list_size does', () => {
    const x = tf.input({ shape: [50, 4], name: 'x' });
    const [seq, h, c] = tf.layers.lstm({ units: 100, returnSequences: true, returnState: true, name: 'lstm' }).apply(x) as tf.SymbolicTensor[];
    const y = tf.layers.dense({ units: 1, name: 'fc' }).apply(seq) as tf.SymbolicTensor;
    const z = tf.layers.concatenate({ name: 'hc' }).apply([h, c]) as tf.SymbolicTensor;
    const s = computeSummary(tf.model({ inputs: x, outputs: [y, z], name: 'lstm_state' }), { batchSize: 10 });
    // lstm: the sequence [10, 50, 100] only (not h, c [10, 100]); fc: [10, 50, 1]; ×2 for gradients.
    assert.equal(s.totals.forwardBackwardBytes, 2 * F32 * (10 * 50 * 100 + 10 * 50 * 1));
    // The panel's activations still hold every output.
    assert.equal(row(s, 'lstm').activationBytes, F32 * (10 * 50 * 100 + 2 * 10 * 100));
  });
});
