import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backpropRanks } from '../../webview/graph/backpropOrder';

const edge = (s: string) => { const [from, to] = s.split('→'); return { from, to }; };

describe('the order backprop reaches the graph\'s boxes', () => {
  it('runs a chain from the output back to the input, one box at a time', () => {
    const ranks = backpropRanks(['in', 'a', 'b', 'out'], ['in→a', 'a→b', 'b→out'].map(edge));
    assert.deepEqual(Object.fromEntries(ranks), { in: 3, a: 2, b: 1, out: 0 });
  });

  it('reaches a fork only after every path from it (the skip edge and the branch), parallel branches together', () => {
    // in → stem; stem → c1 → c2 → add; stem → add (skip); stem → p → add (a second, shorter branch).
    const ranks = backpropRanks(['in', 'stem', 'c1', 'c2', 'p', 'add', 'out'],
      ['in→stem', 'stem→c1', 'c1→c2', 'c2→add', 'stem→add', 'stem→p', 'p→add', 'add→out'].map(edge));
    assert.equal(ranks.get('add'), 1);
    assert.equal(ranks.get('c2'), 2);
    assert.equal(ranks.get('p'), 2);
    assert.equal(ranks.get('stem'), 4);
    assert.ok(ranks.get('stem')! > Math.max(ranks.get('c1')!, ranks.get('p')!, ranks.get('add')!));
  });

  it('ignores edges to boxes not shown', () => {
    const ranks = backpropRanks(['a', 'b'], ['a→b', 'b→hidden'].map(edge));
    assert.deepEqual(Object.fromEntries(ranks), { a: 1, b: 0 });
  });
});
