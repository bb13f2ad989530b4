// Runs of identical blocks inside a group fold to one "×N" node, and unfold when asked: on a stage
// of residual blocks built by the same helper (the identity shortcut gives each block two edges in).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadExperiment } from '../../src/model/loadExperiment';
import { buildModelGraph } from '../../src/model/modelGraph';
import { initInspectionRuntime } from '../../src/model/tfRuntime';
import type { ModelGraph } from '../../src/protocol/modelInfo';
import { computeVisibleGraph, MIN_REPEAT, type GraphUiState } from '../../webview/graph/visibleGraph';
import { fixture } from '../helpers/fixtures';

let graph: ModelGraph;
before(async () => {
  await initInspectionRuntime();
  const loaded = await loadExperiment(fixture('resnet-repeats.ts'));
  graph = buildModelGraph(loaded.model, { locate: loaded.locate, stackOf: loaded.stackOf });
});

const ui = (over: Partial<GraphUiState> = {}): GraphUiState => ({ collapsed: new Set(), expanded: new Set(), unfolded: new Set(), depth: 2, ...over });

describe('folding repeated blocks', () => {
  it('folds the identical blocks of an open stage into one ×N node standing for all their layers', () => {
    const stage = graph.nodes.find((n) => n.kind === 'group' && n.parent === null && n.name === 'stage_1')!;
    assert.ok(stage, graph.nodes.filter((n) => n.kind === 'group').map((n) => n.name).join(', '));
    const blocks = graph.nodes.filter((n) => n.parent === stage.id && n.kind === 'group');
    assert.equal(blocks.length, 5, blocks.map((b) => b.name).join(', '));
    const visible = computeVisibleGraph(graph, ui());
    const repeats = visible.nodes.filter((v) => v.kind === 'repeat');
    assert.equal(repeats.length, 1, visible.nodes.map((v) => `${v.kind}:${v.id}`).join(', '));
    const [repeat] = repeats;
    // The first block widens the channels (a projection shortcut): it differs, the other four fold.
    assert.deepEqual(repeat.repeat!.members, blocks.slice(1).map((b) => b.id));
    assert.equal(repeat.parent, stage.id);
    const inFolded = (id: string | null): boolean => id !== null && (blocks.slice(1).some((b) => b.id === id) || inFolded(graph.nodes.find((n) => n.id === id)!.parent));
    const layersInFolded = graph.nodes.filter((n) => n.kind === 'layer' && inFolded(n.parent)).map((n) => n.name);
    // Per block: conv, BN, ReLU, conv, BN, Add, ReLU.
    assert.equal(layersInFolded.length, 4 * 7);
    assert.deepEqual([...repeat.layers].sort(), layersInFolded.sort());
    // One edge in from the first block, one out to the pooling: the fold keeps the chain.
    assert.equal(visible.edges.filter((e) => e.to === repeat.id).length, 1);
    assert.equal(visible.edges.filter((e) => e.from === repeat.id).length, 1);
  });

  it('unfolds into its blocks when the user unfolds it', () => {
    const folded = computeVisibleGraph(graph, ui()).nodes.find((v) => v.kind === 'repeat')!;
    const visible = computeVisibleGraph(graph, ui({ unfolded: new Set([folded.repeat!.members[0]]) }));
    assert.equal(visible.nodes.filter((v) => v.kind === 'repeat').length, 0);
    for (const id of folded.repeat!.members) assert.ok(visible.byId.has(id), `${id} is shown`);
  });

  it('does not fold a shared layer\'s calls as blocks of their own (its weights would count once per call)', async () => {
    const loadedTied = await loadExperiment(fixture('shared-fold.mjs'));
    const tied = buildModelGraph(loadedTied.model, { locate: loadedTied.locate, stackOf: loadedTied.stackOf });
    const repeats = computeVisibleGraph(tied, ui()).nodes.filter((v) => v.kind === 'repeat');
    // shared → mid → shared is not folded; the three distinct Dense layers after it are.
    assert.equal(repeats.length, 1, repeats.map((r) => r.repeat!.members.join('+')).join(', '));
    assert.deepEqual(repeats[0].repeat!.members.map((id) => tied.nodes.find((n) => n.id === id)!.name), ['d1', 'd2', 'd3']);
  });

  it('leaves a run shorter than the minimum alone', () => {
    assert.ok(MIN_REPEAT > 2);
    const visible = computeVisibleGraph(graph, ui({ depth: 1 }));
    assert.equal(visible.nodes.filter((v) => v.kind === 'repeat').length, 0, 'a collapsed stage is one node, nothing to fold');
    const stage = visible.nodes.find((v) => v.id === 'stage_1')!;
    assert.equal(stage.kind, 'collapsed');
    assert.equal(stage.layers.length, graph.nodes.filter((n) => n.kind === 'layer').length - 2, 'all but the pooling and the head');
  });
});
