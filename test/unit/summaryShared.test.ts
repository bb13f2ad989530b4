// Shared layers and nested models called more than once, as torchinfo lists them: rows in the forward
// pass's order (its hooks'), and a module whose parameters were already counted marked "(recursive)".
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initInspectionRuntime } from '../../src/model/tfRuntime';
import { computeSummary } from '../../src/model/modelSummary';
import { executionOrder } from '../../src/model/layerCalls';
import { formatSummary } from '../../src/model/formatSummary';

before(async () => {
  await initInspectionRuntime();
});

/** x → shared → mid → shared → out (the probe's 23-shared-order.mjs). */
function tied(): tf.LayersModel {
  const shared = tf.layers.dense({ units: 5, activation: 'tanh', name: 'shared' });
  const x = tf.input({ shape: [5], name: 'x' });
  const b = tf.layers.dense({ units: 5, name: 'mid' }).apply(shared.apply(x)) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, name: 'out' }).apply(shared.apply(b)) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: out, name: 'tied' });
}

/** x → block → mid → block → out, block a nested Sequential. */
function tiedBlock(): tf.LayersModel {
  const block = tf.sequential({ name: 'block', layers: [tf.layers.dense({ inputShape: [5], units: 5, activation: 'relu', name: 'blk_fc' })] });
  const x = tf.input({ shape: [5], name: 'x' });
  const b = tf.layers.dense({ units: 5, name: 'mid' }).apply(block.apply(x)) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, name: 'out' }).apply(block.apply(b)) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: out, name: 'tied_block' });
}

describe('rows of shared layers in execution order', () => {
  it('lists shared, mid, shared, out', () => {
    const s = computeSummary(tied());
    assert.deepEqual(s.layers.slice(1).map((r) => `${r.name} ${r.depthIndex}`), ['shared 1-1', 'mid 1-2', 'shared 1-3', 'out 1-4']);
  });

  it('lists block, mid, block, out for a nested model', () => {
    const s = computeSummary(tiedBlock());
    assert.deepEqual(s.layers.slice(1).map((r) => `${r.name} ${r.depthIndex}`),
      ['block 1-1', 'blk_fc 2-1', 'mid 1-2', 'block 1-3', 'blk_fc 2-2', 'out 1-4']);
  });

  it('executionOrder moves a call after its producers and keeps an order that is already one', () => {
    assert.deepEqual(executionOrder([[-1], [2], [0], [1]]), [0, 2, 1, 3]);
    assert.deepEqual(executionOrder([[-1], [0], [0], [1, 2]]), [0, 1, 2, 3]);
  });
});

/** The Param # and Param % cells of the line for `name: depthIndex`. */
function cellsOf(text: string, label: string): string[] {
  const line = text.split('\n').find((l) => l.includes(label));
  assert.ok(line, label);
  return line.slice(line.indexOf(label) + label.length).trim().split(/\s{2,}/);
}

describe('"(recursive)" as torchinfo prints a module whose parameters were already counted', () => {
  const columns = ['num_params', 'params_percent'] as const;

  it('marks the second call of a shared layer, not the first, and keeps the totals', () => {
    const s = computeSummary(tied());
    assert.deepEqual(s.layers.map((r) => r.recursive ?? false), [false, false, false, true, false]);
    assert.equal(s.totals.totalParams, 30 + 30 + 12);
    const text = formatSummary(s, { columns });
    assert.deepEqual(cellsOf(text, '(shared): 1-1'), ['30', '41.67%']);
    assert.deepEqual(cellsOf(text, '(shared): 1-3'), ['(recursive)', '(recursive)']);
  });

  it('marks a nested model called again and every layer in it, expanded or not', () => {
    const s = computeSummary(tiedBlock());
    assert.deepEqual(s.layers.filter((r) => r.recursive).map((r) => `${r.name} ${r.depthIndex}`), ['block 1-3', 'blk_fc 2-2']);
    assert.equal(s.totals.totalParams, 30 + 30 + 12);
    assert.deepEqual(cellsOf(formatSummary(s, { columns }), '(block): 1-3'), ['(recursive)', '(recursive)']);
    const flat = computeSummary(tiedBlock(), { depth: 1 });
    const text = formatSummary(flat, { columns });
    assert.deepEqual(cellsOf(text, '(block): 1-1'), ['30', '41.67%']);
    assert.deepEqual(cellsOf(text, '(block): 1-3'), ['(recursive)', '(recursive)']);
  });
});
