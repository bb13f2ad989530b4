import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ELK from 'elkjs/lib/elk.bundled.js';
import { contractChains, findRuns, type Box, type LayoutInput, type LayoutOutput, type Link } from '../../webview/graph/chainContraction';

const box = (id: string, width = 180, height = 60): Box => ({ id, width, height });
const link = (source: string, target: string): Link => ({ id: `${source}>${target}`, source, target });

/** x → c1 → c2 → c3 → add ← x (identity shortcut), add → relu → head: a residual block. */
function residualBlock(): LayoutInput {
  const children = [box('x'), box('c1', 120), box('c2', 200), box('c3', 140), box('add', 100), box('relu', 110), box('head', 160)];
  const edges = [link('x', 'c1'), link('c1', 'c2'), link('c2', 'c3'), link('c3', 'add'), link('x', 'add'), link('add', 'relu'), link('relu', 'head')];
  return { direction: 'DOWN', children, edges };
}

async function elkLayout(g: LayoutInput): Promise<LayoutOutput> {
  const out = await new ELK().layout({
    id: 'root', layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': g.direction, 'elk.layered.spacing.nodeNodeBetweenLayers': '36' },
    children: g.children.map((c) => ({ ...c })), edges: g.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  const positions: LayoutOutput['positions'] = {};
  for (const c of out.children ?? []) positions[c.id] = { x: c.x ?? 0, y: c.y ?? 0 };
  const edges: LayoutOutput['edges'] = {};
  for (const e of out.edges ?? []) {
    const s = (e as { sections?: { startPoint: { x: number; y: number }; endPoint: { x: number; y: number }; bendPoints?: { x: number; y: number }[] }[] }).sections?.[0];
    if (s) edges[e.id] = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint];
  }
  return { width: out.width ?? 0, height: out.height ?? 0, positions, edges };
}

/** Every box inside the drawing and apart from every other; every edge from its source's border to its target's. */
function assertSound(input: LayoutInput, out: LayoutOutput): void {
  const rect = (id: string) => { const b = input.children.find((c) => c.id === id)!; const p = out.positions[id]; return { ...p, w: b.width, h: b.height }; };
  const ids = input.children.map((c) => c.id);
  assert.deepEqual(Object.keys(out.positions).sort(), [...ids].sort(), 'one position per box, no run boxes left');
  for (const [i, a] of ids.entries()) {
    const r = rect(a);
    assert.ok(r.x >= -0.5 && r.y >= -0.5 && r.x + r.w <= out.width + 0.5 && r.y + r.h <= out.height + 0.5, `${a} inside the drawing`);
    for (const b of ids.slice(i + 1)) {
      const s = rect(b);
      const apart = r.x + r.w <= s.x + 0.5 || s.x + s.w <= r.x + 0.5 || r.y + r.h <= s.y + 0.5 || s.y + s.h <= r.y + 0.5;
      assert.ok(apart, `${a} and ${b} overlap`);
    }
  }
  const onBorder = (p: { x: number; y: number }, id: string) => {
    const r = rect(id);
    const inX = p.x >= r.x - 0.5 && p.x <= r.x + r.w + 0.5;
    const inY = p.y >= r.y - 0.5 && p.y <= r.y + r.h + 0.5;
    const edgeX = Math.abs(p.x - r.x) < 0.5 || Math.abs(p.x - r.x - r.w) < 0.5;
    const edgeY = Math.abs(p.y - r.y) < 0.5 || Math.abs(p.y - r.y - r.h) < 0.5;
    return (inX && edgeY) || (inY && edgeX);
  };
  for (const e of input.edges) {
    const pts = out.edges[e.id];
    assert.ok(pts && pts.length >= 2, `edge ${e.id} routed`);
    assert.ok(onBorder(pts[0], e.source), `edge ${e.id} starts on ${e.source}: ${JSON.stringify(pts[0])} vs ${JSON.stringify(rect(e.source))}`);
    assert.ok(onBorder(pts[pts.length - 1], e.target), `edge ${e.id} ends on ${e.target}: ${JSON.stringify(pts.at(-1))} vs ${JSON.stringify(rect(e.target))}`);
  }
}

describe('chain contraction for the layout', () => {
  it('finds maximal straight runs: not through a fork or a join, but a join may start one and a fork end one', () => {
    const { children, edges } = residualBlock();
    assert.deepEqual(findRuns(children, edges), [['c1', 'c2', 'c3'], ['add', 'relu', 'head']]);
    const diamond = [box('a'), box('b'), box('c'), box('d')];
    assert.deepEqual(findRuns(diamond, [link('a', 'b'), link('a', 'c'), link('b', 'd'), link('c', 'd')]), []);
    const chain = Array.from({ length: 6 }, (_, i) => box(`n${i}`));
    assert.deepEqual(findRuns(chain, chain.slice(1).map((c, i) => link(`n${i}`, c.id))), [chain.map((c) => c.id)]);
  });

  it('replaces each run by one box as long as the run and as broad as its broadest member', () => {
    const c = contractChains(residualBlock(), 36);
    assert.equal(c.saved, 4);
    const run = c.graph.children.find((b) => b.id.includes('c1'))!;
    assert.deepEqual({ w: run.width, h: run.height }, { w: 200, h: 3 * 60 + 2 * 36 });
    assert.deepEqual(c.graph.edges.map((e) => [e.source, e.target]), [['x', run.id], [run.id, c.graph.children[2].id], ['x', c.graph.children[2].id]]);
  });

  it('expands to a sound layout: members stacked and centred, straight edges inside a run, outside edges on the members', async () => {
    for (const direction of ['DOWN', 'RIGHT'] as const) {
      const input = { ...residualBlock(), direction };
      const c = contractChains(input, 36);
      const out = c.expand(await elkLayout(c.graph));
      assertSound(input, out);
      const p = out.positions;
      const axis = direction === 'DOWN' ? 'x' : 'y';
      const main = direction === 'DOWN' ? 'y' : 'x';
      const centreOf = (id: string) => p[id][axis] + (direction === 'DOWN' ? input.children.find((b) => b.id === id)!.width : 60) / 2;
      assert.ok(Math.abs(centreOf('c1') - centreOf('c3')) < 0.01, 'a run is centred on one axis');
      assert.equal(p.c2[main] - p.c1[main], (direction === 'DOWN' ? 60 : 120) + 36, 'members one spacing apart');
      const inside = out.edges['c1>c2'];
      assert.equal(inside.length, 2);
      assert.equal(inside[0][axis], inside[1][axis], 'an edge inside a run is straight');
    }
  });

  it('gives the same boxes and sound edges as laying out the whole graph, for a long chain with skips', async () => {
    const children = Array.from({ length: 60 }, (_, i) => box(`n${i}`, 100 + (i % 4) * 30, 40 + (i % 3) * 10));
    const edges = children.slice(1).map((c, i) => link(`n${i}`, c.id));
    for (let i = 0; i + 7 < children.length; i += 7) edges.push(link(`n${i}`, `n${i + 7}`));
    const input: LayoutInput = { direction: 'DOWN', children, edges };
    const c = contractChains(input, 36);
    assert.ok(c.saved > 30, `saved ${c.saved} boxes`);
    assertSound(input, c.expand(await elkLayout(c.graph)));
    assertSound(input, await elkLayout(input));
  });

  it('leaves a graph without runs as it is', () => {
    const diamond: LayoutInput = { direction: 'DOWN', children: [box('a'), box('b'), box('c'), box('d')], edges: [link('a', 'b'), link('a', 'c'), link('b', 'd'), link('c', 'd')] };
    const c = contractChains(diamond, 36);
    assert.equal(c.graph, diamond);
    assert.equal(c.saved, 0);
  });
});
