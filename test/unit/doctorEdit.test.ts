import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { editLayerActivation, editSetting, type SourceEditResult } from '../../src/source/doctorEdit';
import { parseSource } from '../../src/source/sourceTree';

const lines = (...l: string[]) => l.join('\n');
const MLP = lines(
  "import * as tf from '@tensorflow/tfjs';",
  'export default {',
  '  model: () => tf.sequential({ layers: [',
  "    tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }),",
  '    tf.layers.dense({ units: 3 }),',
  '  ] }),',
  "  training: { loss: 'categoricalCrossentropy', optimizer: { type: 'sgd', learningRate: 0.1 } },",
  '};',
);
/** Where V8 places the call site of `tf.layers.dense(` on a line: at `dense`. */
const siteOf = (text: string, line: number, nth = 0) => {
  const l = text.split('\n')[line - 1];
  let at = -1;
  for (let i = 0; i <= nth; i++) at = l.indexOf('dense(', at + 1);
  return { line, column: at + 1 };
};

function applied(before: string, r: SourceEditResult): string {
  assert.equal(r.kind, 'edit', JSON.stringify(r));
  if (r.kind !== 'edit') return before;
  const out = before.slice(0, r.edit.start) + r.edit.text + before.slice(r.edit.end);
  assert.equal(out, r.text, 'the one edit gives the whole new text');
  assert.deepEqual(parseSource(out, 'e.ts').errors, [], 'the result parses');
  return out;
}

describe('Quick Fix: a layer\'s activation, at the layer\'s call site', () => {
  it('adds activation: \'softmax\' to the last dense layer, and only there', () => {
    const out = applied(MLP, editLayerActivation(MLP, 'e.ts', siteOf(MLP, 5), 'softmax'));
    assert.equal(out, MLP.replace('tf.layers.dense({ units: 3 })', "tf.layers.dense({ units: 3, activation: 'softmax' })"));
  });

  it('replaces an activation that is written, in the quotes the options use', () => {
    const text = MLP.replace("units: 3 })", 'units: 3, activation: "linear" })');
    const out = applied(text, editLayerActivation(text, 'e.ts', siteOf(text, 5), 'softmax'));
    assert.match(out, /units: 3, activation: "softmax" \}/);
  });

  it('removes the activation (the softmax before a loss that applies its own), in single- and multi-line options', () => {
    const single = MLP.replace('units: 3 })', "units: 3, activation: 'softmax' })");
    assert.equal(applied(single, editLayerActivation(single, 'e.ts', siteOf(single, 5), null)), MLP);
    const multi = MLP.replace('tf.layers.dense({ units: 3 }),', "tf.layers.dense({\n      activation: 'softmax',\n      units: 3,\n    }),");
    const out = applied(multi, editLayerActivation(multi, 'e.ts', siteOf(multi, 5), null));
    assert.equal(out, MLP.replace('tf.layers.dense({ units: 3 }),', 'tf.layers.dense({\n      units: 3,\n    }),'));
  });

  it('picks the call at the site when a line has two layers', () => {
    const text = MLP.replace('    tf.layers.dense({ units: 3 }),', '    tf.layers.dense({ units: 5 }), tf.layers.dense({ units: 3 }),');
    const out = applied(text, editLayerActivation(text, 'e.ts', siteOf(text, 5, 1), 'softmax'));
    assert.match(out, /dense\(\{ units: 5 \}\), tf\.layers\.dense\(\{ units: 3, activation: 'softmax' \}\)/);
  });

  it('leaves options that are not an object literal to the user, with the line', () => {
    const text = MLP.replace('tf.layers.dense({ units: 3 })', 'tf.layers.dense(headOptions)');
    const r = editLayerActivation(text, 'e.ts', siteOf(text, 5), 'softmax');
    assert.equal(r.kind, 'manual');
    assert.equal(r.line, 5);
  });
});

describe('Quick Fix: an experiment setting', () => {
  it('switches the loss to softmaxCrossEntropy where it is written', () => {
    const out = applied(MLP, editSetting(MLP, 'e.ts', ['training', 'loss'], "'softmaxCrossEntropy'"));
    assert.equal(out, MLP.replace("'categoricalCrossentropy'", "'softmaxCrossEntropy'"));
  });

  it('sets the learning rate inside the optimizer object', () => {
    const out = applied(MLP, editSetting(MLP, 'e.ts', ['training', 'optimizer', 'learningRate'], '0.01'));
    assert.equal(out, MLP.replace('learningRate: 0.1', 'learningRate: 0.01'));
  });

  it('adds data.normalize as a nested object where no data is written, in the object\'s layout', () => {
    const r = editSetting(MLP, 'e.ts', ['data', 'normalize'], '{ mean: 0.1307, std: 0.3081 }');
    const out = applied(MLP, r);
    assert.match(out, /\n {2}data: \{ normalize: \{ mean: 0\.1307, std: 0\.3081 \} \},?\n\};$/);
  });

  it('follows a variable holding the training settings', () => {
    const text = MLP.replace("  training: { loss: 'categoricalCrossentropy', optimizer: { type: 'sgd', learningRate: 0.1 } },", '  training,')
      .replace('export default {', "const training = { loss: 'categoricalCrossentropy' };\nexport default {");
    const out = applied(text, editSetting(text, 'e.ts', ['training', 'loss'], "'softmaxCrossEntropy'"));
    assert.match(out, /const training = \{ loss: 'softmaxCrossEntropy' \};/);
  });
});
