import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ActivationsMessage, GradientsMessage } from '../../src/protocol/messages';
import { DEAD_SAMPLES_IN_A_ROW } from '../../src/protocol/doctorMessages';
import { applyMessage, deadLayers, emptyRunState } from '../../src/protocol/runState';
import { nodeHeat } from '../../webview/graph/nodeHeat';
import type { VisibleNode } from '../../webview/graph/visibleGraph';

const activations = (step: number, deadShare: number): ActivationsMessage => ({
  type: 'activations', epoch: 1, step, layers: [
    { layer: 'fc1', activation: 'relu', mean: 0.1, std: 0.2, deadShare, saturatedShare: null },
    { layer: 'fc2', activation: 'softmax', mean: 0.1, std: 0.1, deadShare: null, saturatedShare: null },
  ],
});

describe('a layer is flagged dead on the graph after several samples with more than half its units dead', () => {
  it('not before the streak is complete, and not at exactly half', () => {
    const state = emptyRunState();
    for (let i = 1; i < DEAD_SAMPLES_IN_A_ROW; i++) applyMessage(state, activations(i, 0.8));
    assert.deepEqual([...deadLayers(state)], []);
    applyMessage(state, activations(DEAD_SAMPLES_IN_A_ROW, 0.8));
    assert.deepEqual([...deadLayers(state)], [['fc1', 0.8]]);
    const half = emptyRunState();
    for (let i = 1; i <= 10; i++) applyMessage(half, activations(i, 0.5));
    assert.deepEqual([...deadLayers(half)], []);
  });

  it('a sample with the units alive again clears the flag', () => {
    const state = emptyRunState();
    for (let i = 1; i <= DEAD_SAMPLES_IN_A_ROW; i++) applyMessage(state, activations(i, 0.9));
    applyMessage(state, activations(99, 0.1));
    assert.deepEqual([...deadLayers(state)], []);
  });

  it('the graph\'s node of that layer carries the dead share, the others none', () => {
    const gradients: GradientsMessage = { type: 'gradients', epoch: 1, step: 3, layers: [
      { layer: 'fc1', frozen: false, l2: 0.1, meanAbs: 0.01, maxAbs: 0.1, updateRatio: 1e-3 },
      { layer: 'fc2', frozen: false, l2: 0.1, meanAbs: 0.01, maxAbs: 0.1, updateRatio: 1e-3 },
    ] };
    const nodes = [{ id: 'a', kind: 'layer', layers: ['fc1'] }, { id: 'b', kind: 'layer', layers: ['fc2'] }] as unknown as VisibleNode[];
    const heat = nodeHeat(nodes, gradients, null, new Map([['fc1', 0.75]]));
    assert.equal(heat.get('a')?.dead, 0.75);
    assert.equal(heat.get('b')?.dead, undefined);
  });
});
