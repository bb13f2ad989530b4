import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../src/model/userError';
import { freezeLayers } from '../../src/trainer/freezeLayers';

/** Five top-level layers; one is named like the older range form. */
function model(): tf.Sequential {
  return tf.sequential({ layers: [
    tf.layers.dense({ units: 4, inputShape: [3], name: 'stem' }),
    tf.layers.dense({ units: 4, name: 'block1/conv' }),
    tf.layers.dense({ units: 4, name: '0-1' }),
    tf.layers.activation({ activation: 'relu', name: 'act' }),
    tf.layers.dense({ units: 2, name: 'head' }),
  ] });
}

describe('freeze lists', () => {
  it('#i-j freezes top-level layers i to j, #i one layer', () => {
    assert.deepEqual(freezeLayers(model(), ['#0-1']), ['stem', 'block1/conv']);
    assert.deepEqual(freezeLayers(model(), ['#4']), ['head']);
  });

  it('names, globs and layer types', () => {
    assert.deepEqual(freezeLayers(model(), ['block1/*', 'stem']), ['block1/conv', 'stem']);
    assert.deepEqual(freezeLayers(model(), ['Activation']), ['act']);
  });

  it('keeps the older "i-j" range form, unless a layer has that name', () => {
    const m = model();
    assert.deepEqual(freezeLayers(m, ['0-1']), ['0-1']);
    assert.equal(m.getLayer('stem').trainable, true);
    assert.deepEqual(freezeLayers(model(), ['1-3']), ['block1/conv', '0-1', 'act']);
  });

  it('names the entry that matches nothing, for the caller to place at its line', () => {
    for (const [patterns, index, message] of [
      [['stem', '#7'], 1, /"#7" matches no layer/],
      [['conv*'], 0, /"conv\*" matches no layer/],
      [['a b'], 0, /can match no layer/],
    ] as const) {
      assert.throws(() => freezeLayers(model(), [...patterns]), (e: unknown) => {
        assert.ok(e instanceof UserError);
        assert.deepEqual(e.setting, ['freeze', index]);
        assert.match(e.message, message);
        return true;
      });
    }
  });
});
