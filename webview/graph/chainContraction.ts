// Deep-learning graphs are mostly long straight runs (conv → bn → relu → …). A layered layout puts
// such a run in a vertical stack anyway, but pays per node for it: seconds for a chain of thousands
// of layers in a Chromium worker. So each maximal run (every node but the last has exactly one edge out,
// to the next, and every node but the first exactly one edge in, from the previous) is contracted to
// one box before the layout and expanded after it: the run stacked in the box, centred on its axis,
// joined by straight edges, and the edges into and out of the box moved onto the run's first and
// last node.

export interface Box { id: string; width: number; height: number }
export interface Link { id: string; source: string; target: string }
export interface Point { x: number; y: number }

export interface LayoutInput {
  direction: 'DOWN' | 'RIGHT';
  children: Box[];
  edges: Link[];
}

export interface LayoutOutput {
  width: number;
  height: number;
  positions: Record<string, Point>;
  edges: Record<string, Point[]>;
}

interface Run { id: string; members: string[] }

export interface Contraction {
  /** The graph to lay out: runs replaced by one box each. */
  graph: LayoutInput;
  /** The layout of the contracted graph → the layout of the original one. */
  expand(out: LayoutOutput): LayoutOutput;
  /** How many boxes the runs saved. */
  saved: number;
}

/** Maximal runs of ≥ 2 nodes, in the order of `children`. */
export function findRuns(children: Box[], edges: Link[]): string[][] {
  const outs = new Map<string, Link[]>();
  const ins = new Map<string, Link[]>();
  for (const e of edges) {
    (outs.get(e.source) ?? outs.set(e.source, []).get(e.source)!).push(e);
    (ins.get(e.target) ?? ins.set(e.target, []).get(e.target)!).push(e);
  }
  const next = (id: string): string | null => {
    const o = outs.get(id);
    if (o?.length !== 1) return null;
    const t = o[0].target;
    return t !== id && ins.get(t)?.length === 1 ? t : null;
  };
  const hasPrev = new Set<string>();
  for (const c of children) { const n = next(c.id); if (n) hasPrev.add(n); }
  const runs: string[][] = [];
  for (const c of children) {
    if (hasPrev.has(c.id) || !next(c.id)) continue;
    const run = [c.id];
    const seen = new Set(run);
    for (let n = next(c.id); n && !seen.has(n); n = next(n)) { run.push(n); seen.add(n); }
    if (run.length >= 2) runs.push(run);
  }
  return runs;
}

export function contractChains(input: LayoutInput, spacing: number): Contraction {
  const runs: Run[] = findRuns(input.children, input.edges).map((members, i) => ({ id: `run:${i}:${members[0]}`, members }));
  if (!runs.length) return { graph: input, expand: (o) => o, saved: 0 };
  const down = input.direction === 'DOWN';
  const size = new Map(input.children.map((c) => [c.id, c]));
  const runOf = new Map<string, Run>();
  for (const r of runs) for (const m of r.members) runOf.set(m, r);

  // Main axis: y for DOWN, x for RIGHT. A run's box: the members' sum along it, their max across it.
  const along = (b: Box) => (down ? b.height : b.width);
  const across = (b: Box) => (down ? b.width : b.height);
  const runBox = new Map<string, Box>();
  for (const r of runs) {
    const boxes = r.members.map((m) => size.get(m)!);
    const length = boxes.reduce((s, b) => s + along(b), 0) + spacing * (boxes.length - 1);
    const breadth = Math.max(...boxes.map(across));
    runBox.set(r.id, { id: r.id, width: down ? breadth : length, height: down ? length : breadth });
  }

  const children: Box[] = [];
  for (const c of input.children) {
    const r = runOf.get(c.id);
    if (!r) children.push(c);
    else if (r.members[0] === c.id) children.push(runBox.get(r.id)!);
  }
  const internal = new Set<string>();
  const edges: Link[] = [];
  for (const e of input.edges) {
    const a = runOf.get(e.source);
    const b = runOf.get(e.target);
    if (a && a === b) { internal.add(e.id); continue; }
    edges.push({ id: e.id, source: a ? a.id : e.source, target: b ? b.id : e.target });
  }

  const expand = (out: LayoutOutput): LayoutOutput => {
    const positions: Record<string, Point> = {};
    for (const [id, p] of Object.entries(out.positions)) if (!runBox.has(id)) positions[id] = p;
    const edgePoints: Record<string, Point[]> = {};
    for (const r of runs) {
      const origin = out.positions[r.id] ?? { x: 0, y: 0 };
      const breadth = across(runBox.get(r.id)!);
      let offset = 0;
      for (const m of r.members) {
        const b = size.get(m)!;
        const side = (breadth - across(b)) / 2;
        positions[m] = down ? { x: origin.x + side, y: origin.y + offset } : { x: origin.x + offset, y: origin.y + side };
        offset += along(b) + spacing;
      }
    }
    const centre = (id: string, end: 'in' | 'out'): Point => {
      const p = positions[id];
      const b = size.get(id)!;
      if (down) return { x: p.x + b.width / 2, y: end === 'in' ? p.y : p.y + b.height };
      return { x: end === 'in' ? p.x : p.x + b.width, y: p.y + b.height / 2 };
    };
    for (const e of input.edges) {
      if (internal.has(e.id)) { edgePoints[e.id] = [centre(e.source, 'out'), centre(e.target, 'in')]; continue; }
      const routed = out.edges[e.id];
      if (!routed) continue;
      const points = routed.map((p) => ({ ...p }));
      // The box is as broad as its broadest member: keep an end that lands beside a narrower first
      // or last member on that member (and move the segment leading to it along, so it stays straight).
      if (runOf.has(e.source)) clampEnd(points, 0, 1, e.source);
      if (runOf.has(e.target)) clampEnd(points, points.length - 1, points.length - 2, e.target);
      edgePoints[e.id] = points;
    }
    return { width: out.width, height: out.height, positions, edges: edgePoints };

    function clampEnd(points: Point[], end: number, neighbour: number, id: string): void {
      const p = positions[id];
      const b = size.get(id)!;
      const inset = Math.min(6, across(b) / 2);
      const key = down ? 'x' : 'y';
      const lo = p[key] + inset;
      const hi = p[key] + across(b) - inset;
      const was = points[end][key];
      const now = Math.min(hi, Math.max(lo, was));
      if (now === was) return;
      points[end][key] = now;
      const n = points[neighbour];
      if (n && neighbour !== end && Math.abs(n[key] - was) < 0.5 && points.length > 2) n[key] = now;
    }
  };

  return { graph: { direction: input.direction, children, edges }, expand, saved: input.children.length - children.length };
}
