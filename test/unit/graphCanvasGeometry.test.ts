import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GraphEdge, GraphNode, ModelGraph } from '../../src/protocol/modelInfo';
import type { GradientsMessage } from '../../src/protocol/messages';
import {
  edgeRoutes, fitTransform, initialTransform, neighbour, nodeAt, viewRegion, type CanvasGraph, type Transform,
} from '../../webview/graph/canvasGeometry';
import type { LayoutDirection, PlacedGraph } from '../../webview/graph/graphLayout';
import { DETAIL_MIN_SCALE, detailLevel, LABEL_MIN_SCALE } from '../../webview/graph/levelOfDetail';
import { nodeHeat } from '../../webview/graph/nodeHeat';
import { computeVisibleGraph, findNodes, type VisibleGraph } from '../../webview/graph/visibleGraph';

function modelNode(id: string, kind: GraphNode['kind'], type: string, parent: string | null = null, params = 10): GraphNode {
  return { id, kind, name: id, type, parent, inputShapes: [[null, 8]], outputShape: [null, 8], params: kind === 'layer' ? params : 0, trainable: true, source: null };
}
const link = (from: string, to: string): GraphEdge => ({ from, to, shape: [null, 8] });
const open = { collapsed: new Set<string>(), expanded: new Set<string>(), unfolded: new Set<string>(), depth: 3 };

/**
 * input → stem → (left, right) → add → output, with left and right inside a group "block":
 * a branch (two boxes of one rank), a group around boxes, and edges into and out of the group.
 */
function diamond(): ModelGraph {
  return {
    nodes: [
      modelNode('input', 'input', 'Input'), modelNode('stem', 'layer', 'Dense'), modelNode('block', 'group', 'Functional'),
      modelNode('block/left', 'layer', 'Conv2D', 'block'), modelNode('block/right', 'layer', 'Dropout', 'block'),
      modelNode('add', 'layer', 'Add'), modelNode('output', 'output', 'Output'),
    ],
    edges: [link('input', 'stem'), link('stem', 'block/left'), link('stem', 'block/right'), link('block/left', 'add'), link('block/right', 'add'), link('add', 'output')],
  };
}

/** Places the diamond by hand: ranks 250 px apart along the flow, the branch side by side across it. */
function placeDiamond(visible: VisibleGraph, direction: LayoutDirection): CanvasGraph {
  // [along, across] of each box's corner; the group wraps the branch.
  const spots: Record<string, [number, number]> = {
    input: [0, 100], stem: [250, 100], 'block/left': [500, 20], 'block/right': [500, 240], add: [750, 100], output: [1000, 100],
  };
  const nodes: PlacedGraph['nodes'] = new Map();
  const at = (along: number, across: number) => (direction === 'DOWN' ? { x: across, y: along } : { x: along, y: across });
  for (const v of visible.nodes) {
    if (v.kind === 'group') continue;
    const [along, across] = spots[v.id];
    nodes.set(v.id, { id: v.id, ...at(along, across), width: v.width, height: v.height });
  }
  const left = nodes.get('block/left')!;
  const right = nodes.get('block/right')!;
  const x0 = left.x - 10; const y0 = left.y - 30;
  nodes.set('block', { id: 'block', x: x0, y: y0, width: right.x + right.width + 10 - x0, height: right.y + right.height + 10 - y0 });
  // Only the edge between two top-level boxes is routed (a group's border is crossed unrouted).
  const edges: PlacedGraph['edges'] = new Map();
  const routed = visible.edges.find((e) => e.from === 'input' && e.to === 'stem')!;
  edges.set(routed.id, [{ x: 1, y: 2 }, { x: 3, y: 4 }, { x: 5, y: 6 }]);
  return { visible, direction, placed: { nodes, edges, width: 1200, height: 1200, laidOut: 1, ms: 0 } };
}

const graphOf = (direction: LayoutDirection = 'DOWN') => placeDiamond(computeVisibleGraph(diamond(), open), direction);
const screen = (t: Transform, x: number, y: number) => ({ x: x * t.k + t.x, y: y * t.k + t.y });

describe('graph canvas hit-testing', () => {
  it('finds the box under a point before the group around it, the group in its margin, nothing outside', () => {
    const g = graphOf();
    const left = g.placed.nodes.get('block/left')!;
    const block = g.placed.nodes.get('block')!;
    assert.equal(nodeAt(g, { x: left.x + left.width / 2, y: left.y + left.height / 2 })?.id, 'block/left');
    assert.equal(nodeAt(g, { x: block.x + 3, y: block.y + 3 })?.id, 'block');
    assert.equal(nodeAt(g, { x: -500, y: -500 }), null);
  });

  it('takes a point within the slop of a box as on the nearest box', () => {
    const g = graphOf();
    const stem = g.placed.nodes.get('stem')!;
    const input = g.placed.nodes.get('input')!;
    const below = { x: stem.x + stem.width / 2, y: stem.y + stem.height + 6 };
    assert.equal(nodeAt(g, below), null, 'in the gap');
    assert.equal(nodeAt(g, below, 10)?.id, 'stem');
    const between = { x: stem.x + stem.width / 2, y: (input.y + input.height + stem.y) / 2 - 1 };
    assert.equal(nodeAt(g, between, 1000)?.id, 'input', 'the nearer of two');
  });
});

describe('graph canvas keyboard neighbours', () => {
  for (const direction of ['DOWN', 'RIGHT'] as LayoutDirection[]) {
    it(`moves along the flow and across a rank when laid out ${direction === 'DOWN' ? 'top to bottom' : 'left to right'}`, () => {
      const g = graphOf(direction);
      const [forward, backward, after, before] = direction === 'DOWN' ? ['down', 'up', 'right', 'left'] as const : ['right', 'left', 'down', 'up'] as const;
      assert.equal(neighbour(g, 'input', forward), 'stem');
      assert.equal(neighbour(g, 'add', backward), 'block/left', 'the first predecessor');
      assert.equal(neighbour(g, 'block/left', after), 'block/right');
      assert.equal(neighbour(g, 'block/right', before), 'block/left');
      assert.equal(neighbour(g, 'block/right', after), null, 'nothing further on that side');
      assert.equal(neighbour(g, 'output', forward), null);
    });
  }
});

describe('graph canvas edge routes', () => {
  it('keeps the layout’s routing and joins unrouted edges from the source’s exit to the target’s entry', () => {
    for (const direction of ['DOWN', 'RIGHT'] as LayoutDirection[]) {
      const g = graphOf(direction);
      const routes = new Map(edgeRoutes(g).map((r) => [`${r.e.from}>${r.e.to}`, r.points]));
      assert.equal(routes.size, g.visible.edges.length);
      assert.deepEqual(routes.get('input>stem'), [{ x: 1, y: 2 }, { x: 3, y: 4 }, { x: 5, y: 6 }]);
      const a = g.placed.nodes.get('stem')!;
      const b = g.placed.nodes.get('block/right')!;
      const expected = direction === 'DOWN'
        ? [{ x: a.x + a.width / 2, y: a.y + a.height }, { x: b.x + b.width / 2, y: b.y }]
        : [{ x: a.x + a.width, y: a.y + a.height / 2 }, { x: b.x, y: b.y + b.height / 2 }];
      assert.deepEqual(routes.get('stem>block/right'), expected, direction);
    }
  });
});

describe('graph canvas framing', () => {
  it('maps the view back to the layout region it shows, grown by a margin of views', () => {
    const t = { x: 100, y: 50, k: 2 };
    const size = { width: 400, height: 300 };
    const r = viewRegion(t, size);
    assert.deepEqual(screen(t, r.x0, r.y0), { x: 0, y: 0 });
    assert.deepEqual(screen(t, r.x1, r.y1), { x: 400, y: 300 });
    const wide = viewRegion(t, size, 0.5);
    assert.deepEqual(screen(t, wide.x0, wide.y0), { x: -200, y: -150 });
    assert.deepEqual(screen(t, wide.x1, wide.y1), { x: 600, y: 450 });
  });

  it('fits a graph centred in the view, filling one side, never enlarged past 1.5×', () => {
    const view = { width: 800, height: 600 };
    for (const graph of [{ width: 2000, height: 500 }, { width: 300, height: 3000 }, { width: 100, height: 80 }]) {
      const t = fitTransform(graph, view);
      const a = screen(t, 0, 0);
      const b = screen(t, graph.width, graph.height);
      assert.ok(a.x >= 0 && a.y >= 0 && b.x <= view.width && b.y <= view.height, `${JSON.stringify(graph)} inside the view`);
      assert.ok(Math.abs((a.x + b.x) / 2 - view.width / 2) < 1e-9, 'centred across');
      assert.ok(t.k <= 1.5);
      const filled = Math.max((b.x - a.x) / view.width, (b.y - a.y) / view.height);
      assert.ok(t.k === 1.5 || Math.abs(filled - 0.95) < 1e-9, `fills 95% of one side (${filled})`);
    }
  });

  it('opens a graph whole when readable, else at its input end at a readable zoom', () => {
    const view = { width: 800, height: 600 };
    const small = graphOf();
    assert.equal(initialTransform(small, view).whole, true);
    // The same graph stretched far along the flow: unreadable when fitted.
    const tall: CanvasGraph = { ...small, placed: { ...small.placed, height: 40_000 } };
    const { transform, whole } = initialTransform(tall, view);
    assert.equal(whole, false);
    assert.ok(transform.k >= DETAIL_MIN_SCALE);
    const input = tall.placed.nodes.get('input')!;
    const top = screen(transform, input.x, input.y);
    assert.ok(top.y >= 0 && top.y < 50, `the input end at the top (${top.y})`);
    assert.ok(top.x >= 0 && top.x + input.width * transform.k <= view.width, 'the input box across the view');
  });
});

describe('graph canvas level of detail', () => {
  it('draws nothing but boxes when far out, titles in between, everything close up', () => {
    assert.equal(detailLevel(LABEL_MIN_SCALE / 2), 'far');
    assert.equal(detailLevel((LABEL_MIN_SCALE + DETAIL_MIN_SCALE) / 2), 'titles');
    assert.equal(detailLevel(DETAIL_MIN_SCALE), 'full');
    assert.equal(detailLevel(4), 'full');
    const levels = [0.02, 0.1, 0.3, 0.5, 1, 4].map(detailLevel);
    const rank = { far: 0, titles: 1, full: 2 };
    assert.deepEqual(levels.map((l) => rank[l]), [...levels.map((l) => rank[l])].sort(), 'more detail as the zoom grows');
  });
});

describe('graph node heat', () => {
  const gradients = (layers: GradientsMessage['layers']): GradientsMessage => ({ type: 'gradients', epoch: 1, step: 5, layers });
  const layer = (name: string, l2: number | null, frozen = false) => ({ layer: name, frozen, l2, meanAbs: 0, maxAbs: 0, updateRatio: 0 });

  it('combines the norms of the layers a collapsed group stands for, skipping frozen ones', () => {
    const visible = computeVisibleGraph(diamond(), { ...open, collapsed: new Set(['block']) });
    const heat = nodeHeat(visible.nodes, gradients([layer('stem', 2), layer('block/left', 3), layer('block/right', 4), layer('add', 9, true)]), null);
    assert.equal(heat.get('stem')?.l2, 2);
    assert.ok(Math.abs(heat.get('block')!.l2! - 5) < 1e-12, '√(3² + 4²)');
    assert.equal(heat.get('add')?.l2, null, 'frozen: no colour');
    assert.equal(heat.get('input')?.l2, null);
  });

  it('marks a node non-finite for a null norm or the anomaly’s layer, and has nothing before the first gradients', () => {
    const visible = computeVisibleGraph(diamond(), open);
    const heat = nodeHeat(visible.nodes, gradients([layer('stem', null), layer('block/left', 1), layer('add', 1)]), 'add');
    assert.deepEqual(heat.get('stem'), { l2: null, nonFinite: true });
    assert.deepEqual(heat.get('block/left'), { l2: 1, nonFinite: false });
    assert.deepEqual(heat.get('add'), { l2: 1, nonFinite: true });
    assert.equal(heat.has('block'), false, 'groups are not coloured: their boxes are');
    assert.equal(nodeHeat(visible.nodes, null, 'add').size, 0);
  });
});

describe('graph search', () => {
  it('finds boxes by name or type in any case, never groups, nothing for a blank query', () => {
    const visible = computeVisibleGraph(diamond(), open);
    assert.deepEqual(findNodes(visible, 'CONV'), ['block/left']);
    assert.deepEqual(findNodes(visible, ' left '), ['block/left']);
    assert.deepEqual(findNodes(visible, 'functional'), [], 'the group\'s type');
    assert.deepEqual(findNodes(visible, 'block').sort(), ['block/left', 'block/right']);
    assert.deepEqual(findNodes(visible, '   '), []);
  });
});
