// How deep a graph opens when the user has not chosen a depth: a big model (ResNet-50) one level
// shallower than a small one, so its first layout holds only its stages and the blocks in them.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadExperiment } from '../../src/model/loadExperiment';
import { buildModelGraph } from '../../src/model/modelGraph';
import { initInspectionRuntime } from '../../src/model/tfRuntime';
import type { ModelGraph } from '../../src/protocol/modelInfo';
import { BIG_MODEL_LAYERS, computeVisibleGraph, DEFAULT_DEPTH, openingDepth } from '../../webview/graph/visibleGraph';
import { resnet50 } from '../../bench/models/benchModels';
import { fixture } from '../helpers/fixtures';

let small: ModelGraph;
let big: ModelGraph;
before(async () => {
  await initInspectionRuntime();
  const loaded = await loadExperiment(fixture('resnet18-helpers.ts'));
  small = buildModelGraph(loaded.model, { locate: loaded.locate, stackOf: loaded.stackOf });
  big = buildModelGraph(resnet50());
});

const layers = (g: ModelGraph) => g.nodes.filter((n) => n.kind === 'layer').length;
const open = (g: ModelGraph, depth: number) => computeVisibleGraph(g, { collapsed: new Set(), expanded: new Set(), unfolded: new Set(), depth });

describe('the depth a graph opens at', () => {
  it('opens a model of up to BIG_MODEL_LAYERS layers at the default depth, its blocks open', () => {
    assert.ok(layers(small) <= BIG_MODEL_LAYERS, `${layers(small)} layers`);
    assert.equal(openingDepth(small), DEFAULT_DEPTH);
  });

  it('opens a bigger model with its stages as open groups and every block in them collapsed', () => {
    assert.ok(layers(big) > BIG_MODEL_LAYERS, `${layers(big)} layers`);
    const depth = openingDepth(big);
    assert.ok(depth < DEFAULT_DEPTH && depth >= 1);
    const visible = open(big, depth);
    const stages = big.nodes.filter((n) => n.kind === 'group' && n.parent === null).map((n) => n.id);
    assert.deepEqual(visible.nodes.filter((v) => v.kind === 'group').map((v) => v.id).sort(), [...stages].sort(), 'only the stages are open groups');
    const blocks = visible.nodes.filter((v) => v.parent !== null && v.kind !== 'layer');
    assert.ok(blocks.length > 0 && blocks.every((v) => v.kind === 'collapsed' || v.kind === 'repeat'), blocks.map((v) => `${v.kind}:${v.id}`).join(', '));
    // Fewer boxes to lay out than at the default depth, and every layer still stands somewhere.
    assert.ok(visible.nodes.length < open(big, DEFAULT_DEPTH).nodes.length);
    const shown = new Set(visible.nodes.flatMap((v) => v.layers));
    for (const n of big.nodes) if (n.kind === 'layer') assert.ok(shown.has(n.name), `${n.name} stands in a box`);
  });
});
