// The graph view: torchview's picture of the model, interactive and live. Nested models are groups
// that collapse and expand in place, identical blocks fold into "×N", the layout comes from elkjs in
// a worker, and during training every layer is coloured by its gradient norm.
import * as d3 from 'd3';
import type { GraphNode } from '../../src/protocol/modelInfo';
import type { GradientsMessage } from '../../src/protocol/messages';
import type { RunState } from '../../src/protocol/runState';
import type { View, ViewContext } from '../view';
import { formatShape, thousands } from '../format';
import { computeVisibleGraph, type GraphUiState, type VisibleEdge, type VisibleGraph, type VisibleNode } from '../graph/visibleGraph';
import { GraphLayout, type PlacedGraph } from '../graph/graphLayout';
import { drawGradientLegend, gradientFlag, gradientScale } from '../graph/gradientColors';
import { exportGraph } from '../graph/graphExport';
import { HoverCard } from '../graph/hoverCard';
import { warmUpGraph } from '../graph/warmUpGraph';

type Direction = 'DOWN' | 'RIGHT';

interface NodeDatum { v: VisibleNode; x: number; y: number; width: number; height: number }
interface EdgeDatum { e: VisibleEdge; points: { x: number; y: number }[] }
interface Region { x0: number; y0: number; x1: number; y1: number }

const SWEEP_MS = 450;
/** Below this zoom a 12 px title is under 3 px on screen: no text is drawn at all. */
const LABEL_MIN_SCALE = 0.25;
/** Below this zoom only titles are drawn (shapes, parameter counts and edge labels need more room). */
const DETAIL_MIN_SCALE = 0.45;
const MAX_SWEEP_NODES = 300;
const MAX_EDGE_LABELS = 400;

export function createGraphView(): View {
  let root: HTMLElement;
  let ctx: ViewContext;
  let svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  let viewport: d3.Selection<SVGGElement, unknown, null, undefined>;
  let card: HoverCard;
  let menu: HTMLDivElement;
  let legend: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  let zoom: d3.ZoomBehavior<SVGSVGElement, unknown>;
  let searchInput: HTMLInputElement;
  let info: HTMLElement;
  const layout = new GraphLayout();

  let state: RunState | null = null;
  let graphKey = '';
  let visible: VisibleGraph | null = null;
  let placed: PlacedGraph | null = null;
  let layoutToken = 0;
  let selected: string | null = null;
  let matches: string[] = [];
  let matchIndex = -1;
  let lastGradientStep = -1;
  let fitted = false;
  /** Bumped by every draw: a node's labels are current when they were drawn for this draw. */
  let drawCount = 0;
  let infoText = '';
  let drawnRegion: Region | null = null;
  /** Whether the user has panned or zoomed since the graph was last framed, and how it was framed. */
  let viewMoved = false;
  let shownModel: RunState['model'] = null;
  let framedWhole = true;
  let detailFrame = 0;
  let viewSize = { width: 0, height: 0 };
  const labelledFor = new WeakMap<Element, number>();

  const ui = {
    collapsed: new Set<string>(),
    expanded: new Set<string>(),
    unfolded: new Set<string>(),
  };
  const direction = (): Direction => ctx.getUiState<Direction>('direction', 'DOWN');
  const depth = (): number => ctx.getUiState('depth', 3);

  function saveSets(): void {
    ctx.setUiState('collapsed', [...ui.collapsed]);
    ctx.setUiState('expanded', [...ui.expanded]);
    ctx.setUiState('unfolded', [...ui.unfolded]);
  }

  // ---------- toolbar ----------
  function buildToolbar(): void {
    const bar = d3.select(root).append('div').attr('class', 'toolbar graph-toolbar');
    const search = bar.append('input').attr('type', 'search').attr('placeholder', 'Search name or type').attr('aria-label', 'Search layers')
      .attr('class', 'graph-search');
    searchInput = search.node()!;
    search.on('input', () => runSearch(false)).on('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter') { e.preventDefault(); runSearch(true); }
      if (e.key === 'Escape') { searchInput.value = ''; runSearch(false); svg.node()!.focus(); }
    });
    bar.append('label').text('Depth');
    bar.append('input').attr('type', 'number').attr('min', 1).attr('max', 20).attr('class', 'graph-depth').attr('aria-label', 'Depth')
      .property('value', depth())
      .on('change', (e: Event) => {
        ctx.setUiState('depth', Math.max(1, Number((e.target as HTMLInputElement).value) || 1));
        ui.collapsed.clear(); ui.expanded.clear(); saveSets();
        relayout(true);
      });
    const dir = bar.append('select').attr('aria-label', 'Direction').attr('class', 'graph-direction');
    dir.selectAll('option').data([['DOWN', 'Top to bottom'], ['RIGHT', 'Left to right']]).join('option')
      .attr('value', (d) => d[0]).text((d) => d[1]);
    dir.property('value', direction()).on('change', (e: Event) => {
      ctx.setUiState('direction', (e.target as HTMLSelectElement).value);
      relayout(true);
    });
    bar.append('button').attr('class', 'graph-fit').attr('title', 'Fit to view (0)').text('Fit').on('click', () => fit(true));
    bar.append('button').attr('class', 'graph-export-svg').text('SVG').attr('title', 'Export the graph as SVG')
      .on('click', () => exportWhole('svg'));
    bar.append('button').attr('class', 'graph-export-png').text('PNG').attr('title', 'Export the graph as PNG')
      .on('click', () => exportWhole('png'));
    info = bar.append('span').attr('class', 'graph-info').node()!;
    legend = bar.append('svg').attr('class', 'gradient-legend');
  }

  /** The export holds every label, whatever the zoom and the level of detail on screen. */
  function exportWhole(format: 'svg' | 'png'): void {
    const zoomedOut = root.classList.contains('zoomed-out');
    const far = root.classList.contains('lod-far');
    root.classList.remove('zoomed-out', 'lod-far');
    draw(true);
    updateDetail(true);
    const done = exportGraph(svg.node()!, viewport.node()!, format, ctx); // takes the SVG before its first await
    root.classList.toggle('zoomed-out', zoomedOut);
    root.classList.toggle('lod-far', far);
    draw();
    updateDetail();
    void done;
  }

  /**
   * Lays out and draws a made-up residual network a few times, unseen, before the first model comes
   * (see warmUpGraph.ts): a fresh page runs the drawing code ~8× slower, and ELK's first layouts
   * in a fresh worker ~10× slower, than once compiled. Stops as soon as a model arrives.
   */
  async function warmUp(): Promise<void> {
    const scratch = d3.select(root).append('svg').attr('class', 'graph-warm-up').attr('display', 'none').attr('aria-hidden', 'true');
    const real = viewport;
    try {
      for (let round = 0; round < 4 && !state?.model; round++) {
        const v = computeVisibleGraph(warmUpGraph(16, round), { collapsed: new Set(), expanded: new Set(), unfolded: new Set(), depth: 3 });
        const p = await layout.layout(v, round % 2 ? 'RIGHT' : 'DOWN');
        if (state?.model) break;
        // Synchronous from here to the restore: nothing else can see the swapped-in graph.
        const kept = { visible, placed };
        viewport = scratch.append('g');
        visible = v;
        placed = p;
        try {
          drawCount++;
          draw(true);
          updateDetail(true);
        } finally {
          viewport.remove();
          viewport = real;
          ({ visible, placed } = kept);
        }
      }
    } catch (e) {
      ctx.warn(`graph warm-up failed: ${(e as Error).message}`);
    } finally {
      scratch.remove();
    }
  }

  // ---------- layout and drawing ----------
  async function relayout(refit: boolean): Promise<void> {
    if (!state?.model) return;
    const token = ++layoutToken;
    const uiState: GraphUiState = { ...ui, depth: depth() };
    const v = computeVisibleGraph(state.model.graph, uiState);
    let p: PlacedGraph;
    try {
      p = await layout.layout(v, direction());
    } catch (e) {
      ctx.warn(`graph layout failed: ${(e as Error).message}`);
      return;
    }
    if (token !== layoutToken) return; // a newer layout superseded this one
    visible = v;
    placed = p;
    root.dataset.layoutMs = p.ms.toFixed(1);
    root.dataset.laidOut = String(p.laidOut);
    measureView(); // before the DOM changes, so reading the size forces no layout of the new nodes
    const whole = refit || !fitted ? initialView() : true; // first: what is drawn depends on the view
    fitted = true;
    drawCount++;
    draw();
    updateDetail();
    root.dataset.renderedAt = performance.now().toFixed(1);
    const count = v.nodes.filter((n) => n.kind !== 'group').length;
    root.dataset.nodes = String(count);
    infoText = `${count} nodes · ${v.edges.length} edges · layout ${p.ms.toFixed(0)} ms`;
    info.textContent = `${infoText}${whole ? '' : ' · showing the input end: Fit (0) shows all'}`;
  }

  function edgePath(d: EdgeDatum): string {
    const pts = d.points;
    if (pts.length === 2 || pts.length > 4 && false) {
      const [a, b] = pts;
      const vertical = direction() === 'DOWN';
      const m = vertical ? (a.y + b.y) / 2 : (a.x + b.x) / 2;
      return vertical ? `M${a.x},${a.y} C${a.x},${m} ${b.x},${m} ${b.x},${b.y}` : `M${a.x},${a.y} C${m},${a.y} ${m},${b.y} ${b.x},${b.y}`;
    }
    return d3.line<{ x: number; y: number }>().x((p) => p.x).y((p) => p.y).curve(d3.curveBasis)(pts) ?? '';
  }

  function edgeData(): EdgeDatum[] {
    if (!visible || !placed) return [];
    const vertical = direction() === 'DOWN';
    return visible.edges.map((e) => {
      const routed = placed!.edges.get(e.id);
      if (routed) return { e, points: routed };
      // Edges that cross a group's border: a curve from the source's exit to the target's entry.
      const a = placed!.nodes.get(e.from)!;
      const b = placed!.nodes.get(e.to)!;
      if (!a || !b) return { e, points: [] };
      const start = vertical ? { x: a.x + a.width / 2, y: a.y + a.height } : { x: a.x + a.width, y: a.y + a.height / 2 };
      const end = vertical ? { x: b.x + b.width / 2, y: b.y } : { x: b.x, y: b.y + b.height / 2 };
      return { e, points: [start, end] };
    }).filter((d) => d.points.length >= 2);
  }

  /** The part of the graph (in layout coordinates) within half a view of the view; everything with `all`. */
  function region(all: boolean): Region {
    if (all) return { x0: -Infinity, y0: -Infinity, x1: Infinity, y1: Infinity };
    const t = d3.zoomTransform(svg.node()!);
    const { width: w, height: h } = viewSize;
    const [x0, y0] = t.invert([-w / 2, -h / 2]);
    const [x1, y1] = t.invert([1.5 * w, 1.5 * h]);
    return { x0, y0, x1, y1 };
  }

  /**
   * Puts into the DOM the nodes, groups and edges within half a view of the view (all of them with
   * `all`): a big graph costs Chromium's style and layout passes per element, so a ResNet opened at
   * its input end draws ~20 boxes, not 178. Zooming and panning draw more (see updateDetail).
   */
  function draw(all = false): void {
    if (!visible || !placed) return;
    const r = region(all);
    drawnRegion = r;
    const near = (x: number, y: number, w: number, h: number) => x < r.x1 && x + w > r.x0 && y < r.y1 && y + h > r.y0;
    const nodes: NodeDatum[] = visible.nodes.map((v) => ({ v, ...placed!.nodes.get(v.id)! })).filter((d) => near(d.x, d.y, d.width, d.height));
    const groups = nodes.filter((d) => d.v.kind === 'group');
    const boxes = nodes.filter((d) => d.v.kind !== 'group');

    viewport.selectAll('g.layer-groups').data([0]).join('g').attr('class', 'layer-groups')
      .selectAll<SVGGElement, NodeDatum>('g.group').data(groups, (d) => d.v.id)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'group');
        g.append('rect').attr('class', 'group-box').attr('rx', 6);
        g.append('text').attr('class', 'group-title').attr('x', 10).attr('y', 18);
        g.append('text').attr('class', 'group-toggle').attr('y', 18).text('−')
          .append('title').text('Collapse');
        return g;
      })
      .attr('data-id', (d) => d.v.id)
      .attr('data-layer', (d) => d.v.node.name)
      .classed('frozen', (d) => !d.v.node.trainable && d.v.node.params > 0)
      .attr('transform', (d) => `translate(${d.x},${d.y})`)
      .call((g) => g.select('rect.group-box').attr('width', (d) => d.width).attr('height', (d) => d.height))
      .call((g) => g.select('text.group-title').text((d) => groupTitle(d.v.node)))
      .call((g) => g.select('text.group-toggle').attr('x', (d) => d.width - 18).on('click', (e: MouseEvent, d) => { e.stopPropagation(); toggleGroup(d.v); }));

    const edges = edgeData().filter((d) => {
      const xs = d.points.map((p) => p.x);
      const ys = d.points.map((p) => p.y);
      const x = Math.min(...xs);
      const y = Math.min(...ys);
      return near(x, y, Math.max(...xs) - x, Math.max(...ys) - y);
    });
    const edgeLayer = viewport.selectAll('g.layer-edges').data([0]).join('g').attr('class', 'layer-edges');
    edgeLayer.selectAll<SVGGElement, EdgeDatum>('g.edge').data(edges, (d) => d.e.id)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'edge');
        g.append('path').attr('class', 'edge-path');
        g.append('text').attr('class', 'edge-label').attr('display', 'none');
        return g;
      })
      .attr('data-from', (d) => d.e.from).attr('data-to', (d) => d.e.to).attr('data-shape', (d) => JSON.stringify(d.e.shape))
      .call((g) => g.select('path').attr('d', edgePath)
        .attr('stroke-width', (d) => 1 + Math.min(3, Math.log10(Math.max(1, d.e.shape.reduce<number>((n, s) => n * (s ?? 1), 1))) / 2)))
      .call((g) => g.select('text.edge-label')
        .attr('display', 'none')
        .attr('x', (d) => d.points[Math.floor(d.points.length / 2)].x * 0.5 + d.points[Math.ceil((d.points.length - 1) / 2)].x * 0.5 + 6)
        .attr('y', (d) => (d.points[0].y + d.points[d.points.length - 1].y) / 2));

    const nodeLayer = viewport.selectAll('g.layer-nodes').data([0]).join('g').attr('class', 'layer-nodes');
    nodeLayer.selectAll<SVGGElement, NodeDatum>('g.node').data(boxes, (d) => d.v.id)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'node').attr('tabindex', -1);
        // The rest (the stack behind a folded node, the gradient colour, the flag, the sweep) is added
        // when needed: fewer elements make a faster first render of a big graph.
        g.append('rect').attr('class', 'node-box').attr('rx', 5);
        g.append('g').attr('class', 'node-label').attr('display', 'none');
        return g;
      })
      .attr('data-id', (d) => d.v.id)
      .attr('data-kind', (d) => d.v.kind)
      .attr('data-layer', (d) => d.v.node.name)
      .attr('data-type', (d) => d.v.node.type)
      .classed('frozen', (d) => isFrozen(d.v))
      .classed('io', (d) => d.v.kind === 'input' || d.v.kind === 'output')
      .attr('transform', (d) => `translate(${d.x},${d.y})`)
      .each(function (d) { drawNode(d3.select(this), d); })
      .on('mouseenter', (e: MouseEvent, d) => card.show(d.v, state, e))
      .on('mousemove', (e: MouseEvent) => card.move(e))
      .on('mouseleave', () => card.hide())
      .on('click', (e: MouseEvent, d) => { e.stopPropagation(); select(d.v.id); activate(d.v); })
      .on('contextmenu', (e: MouseEvent, d) => openMenu(e, d.v));
    viewport.selectAll<SVGGElement, NodeDatum>('g.group').on('contextmenu', (e: MouseEvent, d) => openMenu(e, d.v));

    paintGradients(false);
    highlightMatches();
    nodeLayer.selectAll<SVGGElement, NodeDatum>('g.node').classed('selected', (d) => d.v.id === selected);
  }

  function isFrozen(v: VisibleNode): boolean {
    return v.node.params > 0 && !v.node.trainable;
  }

  function groupTitle(n: GraphNode): string {
    return `${n.name} (${n.type}) · ${thousands(n.params)} params${n.params > 0 && !n.trainable ? ' · ❄ frozen' : ''}`;
  }

  function drawNode(g: d3.Selection<SVGGElement, NodeDatum, null, undefined>, d: NodeDatum): void {
    const { v, width, height } = d;
    const io = v.kind === 'input' || v.kind === 'output';
    const stacked = v.kind === 'repeat' || v.kind === 'collapsed';
    if (stacked && g.select('rect.node-stack').empty()) g.insert('rect', ':first-child').attr('class', 'node-stack').attr('rx', 5);
    if (!stacked) g.select('rect.node-stack').remove();
    g.select('rect.node-stack').attr('x', 4).attr('y', 4).attr('width', width).attr('height', height);
    g.selectAll('rect.node-box, rect.node-heat, rect.node-sweep').attr('width', width).attr('height', height).attr('rx', io ? height / 2 : 5);
    g.select('rect.node-strip').attr('height', height - 2);
    g.select('g.node-label').attr('display', 'none');
  }

  /** The texts of a node: drawn only while the node is on screen and big enough to read (see updateDetail). */
  function drawLabels(g: d3.Selection<SVGGElement, NodeDatum, null, undefined>, d: NodeDatum): void {
    const { v, width, height } = d;
    const n = v.node;
    const io = v.kind === 'input' || v.kind === 'output';
    const label = g.select<SVGGElement>('g.node-label');
    label.selectAll('text').remove();
    const title = io ? `${v.kind === 'input' ? 'input' : 'output'}: ${formatShape(n.outputShape)}`
      : v.kind === 'repeat' ? `${n.type} ×${v.repeat!.count}`
        : v.kind === 'collapsed' ? `▸ ${n.name} (${n.type})` : `${n.type} · ${n.name}`;
    label.append('text').attr('class', 'node-title').attr('x', io ? width / 2 : 12).attr('y', io ? height / 2 + 4 : 17)
      .attr('text-anchor', io ? 'middle' : 'start').text(clip(title, 48));
    if (io) return;
    const shapes = `${n.inputShapes.length > 1 ? `${n.inputShapes.length} inputs` : formatShape(n.inputShapes[0] ?? [])} → ${formatShape(n.outputShape)}`;
    label.append('text').attr('class', 'node-shapes').attr('x', 12).attr('y', 35).text(clip(shapes, 52));
    const params = v.kind === 'repeat' ? `${thousands(n.params)} params each · click to unfold`
      : v.kind === 'collapsed' ? `${v.layers.length} layers · ${thousands(n.params)} params`
        : n.params > 0 ? `${thousands(n.params)} params${isFrozen(v) ? ' · ❄ frozen' : ''}` : 'no params';
    label.append('text').attr('class', 'node-params').attr('x', 12).attr('y', 52).text(clip(params, 56));
  }

  function measureView(): void {
    const el = svg.node()!;
    viewSize = { width: el.clientWidth || root.clientWidth || 800, height: el.clientHeight || 400 };
  }

  function scheduleDetail(): void {
    if (!detailFrame) detailFrame = requestAnimationFrame(() => { detailFrame = 0; updateDetail(); });
  }

  /**
   * Level of detail: texts are what makes an SVG graph slow in Chromium (every <text> is laid out
   * again at each zoom step), so only the nodes and edges within half a screen of the view get them,
   * and none when the zoom makes them unreadable. Runs on every zoom, at most once a frame.
   */
  function updateDetail(all = false): void {
    if (!placed) return;
    const t = d3.zoomTransform(svg.node()!);
    if (!all) {
      const [vx0, vy0] = t.invert([0, 0]);
      const [vx1, vy1] = t.invert([viewSize.width, viewSize.height]);
      const d = drawnRegion;
      if (!d || vx0 < d.x0 || vy0 < d.y0 || vx1 > d.x1 || vy1 > d.y1) draw();
    }
    const { x0, y0, x1, y1 } = region(all);
    const labels = all || t.k >= LABEL_MIN_SCALE;
    const details = all || t.k >= DETAIL_MIN_SCALE;
    viewport.selectAll<SVGGElement, NodeDatum>('g.node').each(function (d) {
      const show = labels && d.x < x1 && d.x + d.width > x0 && d.y < y1 && d.y + d.height > y0;
      const label = this.querySelector('g.node-label')!;
      if (show && labelledFor.get(this) !== drawCount) { drawLabels(d3.select(this), d); labelledFor.set(this, drawCount); }
      const display = show ? 'inline' : 'none';
      if (label.getAttribute('display') !== display) label.setAttribute('display', display);
    });
    const edgeLabels = details && viewport.selectAll('g.edge').size() <= MAX_EDGE_LABELS;
    viewport.selectAll<SVGGElement, EdgeDatum>('g.edge').each(function (d) {
      const text = this.querySelector('text.edge-label')!;
      const x = Number(text.getAttribute('x'));
      const y = Number(text.getAttribute('y'));
      const show = edgeLabels && x < x1 && x > x0 && y < y1 && y > y0;
      if (show && labelledFor.get(this) !== drawCount) { text.textContent = formatShape(d.e.shape); labelledFor.set(this, drawCount); }
      const display = show ? 'inline' : 'none';
      if (text.getAttribute('display') !== display) text.setAttribute('display', display);
    });
  }

  function clip(text: string, max: number): string {
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  }

  /** Combined L2 norm of the layers a node stands for, at the latest sampled step. */
  function nodeNorm(v: VisibleNode, byLayer: Map<string, GradientsMessage['layers'][number]>): { l2: number | null; nonFinite: boolean } {
    const latest = state?.gradients.latest;
    if (!latest) return { l2: null, nonFinite: false };
    let sum = 0;
    let any = false;
    let nonFinite = false;
    for (const name of v.layers) {
      const g = byLayer.get(name);
      if (!g || g.frozen) continue;
      if (g.l2 === null) { nonFinite = true; continue; }
      sum += g.l2 * g.l2;
      any = true;
    }
    if (state?.anomaly?.layer && v.layers.includes(state.anomaly.layer)) nonFinite = true;
    return { l2: any ? Math.sqrt(sum) : null, nonFinite };
  }

  function paintGradients(sweep: boolean): void {
    if (!visible) return;
    // The colours come from the theme's CSS variables: reading them forces a style pass, so only
    // once there is something to colour.
    const scale = state?.gradients.latest ? gradientScale() : () => 'transparent';
    const nodes = viewport.selectAll<SVGGElement, NodeDatum>('g.node');
    const byLayer = new Map((state?.gradients.latest?.layers ?? []).map((l) => [l.layer, l]));
    nodes.each(function (d) {
      const g = d3.select(this);
      const { l2, nonFinite } = nodeNorm(d.v, byLayer);
      const flag = gradientFlag(l2, nonFinite);
      const colour = l2 !== null ? scale(l2) : null;
      g.attr('data-l2', l2 === null ? null : String(l2)).attr('data-flag', flag);
      g.classed('has-gradient', colour !== null).classed('vanishing', flag === 'vanishing').classed('exploding', flag === 'exploding');
      if (colour === null) g.selectAll('rect.node-heat, rect.node-strip').remove();
      else {
        if (g.select('rect.node-heat').empty()) {
          const io = d.v.kind === 'input' || d.v.kind === 'output';
          g.insert('rect', 'g.node-label').attr('class', 'node-heat').attr('width', d.width).attr('height', d.height).attr('rx', io ? d.height / 2 : 5);
          if (!io) g.insert('rect', 'g.node-label').attr('class', 'node-strip').attr('width', 5).attr('height', d.height - 2).attr('x', 1).attr('y', 1);
        }
        g.selectAll('rect.node-heat, rect.node-strip').style('fill', colour);
      }
      // A tab above the box's top-right corner, so it never covers the title (only flagged nodes have one).
      if (!flag) g.select('text.node-flag').remove();
      else {
        const tab = g.select<SVGTextElement>('text.node-flag').empty() ? g.append('text').attr('class', 'node-flag') : g.select<SVGTextElement>('text.node-flag');
        tab.attr('x', d.width - 4).attr('y', -4).attr('text-anchor', 'end').text(flag === 'vanishing' ? '⚠ vanishing' : '⚠ exploding');
      }
    });
    const hasGradients = Boolean(state?.gradients.latest);
    legend.style('display', hasGradients ? null : 'none');
    if (hasGradients) drawGradientLegend(legend, 220);
    if (sweep) runSweep();
  }

  /** Backprop runs output → input: flash the nodes in that order on each sampled step. */
  function runSweep(): void {
    if (!visible || visible.nodes.length > MAX_SWEEP_NODES || matchMedia('(prefers-reduced-motion: reduce)').matches) return;
    const order = visible.nodes.filter((n) => n.kind !== 'group').map((n) => n.id).reverse();
    const rank = new Map(order.map((id, i) => [id, i]));
    const step = SWEEP_MS / Math.max(1, order.length);
    viewport.selectAll<SVGGElement, NodeDatum>('g.node').each(function (d) {
      if (!this.querySelector('rect.node-sweep')) {
        const io = d.v.kind === 'input' || d.v.kind === 'output';
        d3.select(this).append('rect').attr('class', 'node-sweep').attr('width', d.width).attr('height', d.height).attr('rx', io ? d.height / 2 : 5);
      }
    });
    viewport.selectAll<SVGRectElement, NodeDatum>('g.node rect.node-sweep')
      .interrupt()
      .style('opacity', 0)
      .transition().delay((d) => (rank.get(d.v.id) ?? 0) * step).duration(120).style('opacity', 0.55)
      .transition().duration(260).style('opacity', 0);
  }

  // ---------- interaction ----------
  function toggleGroup(v: VisibleNode): void {
    const id = v.node.id;
    if (v.kind === 'group') { ui.collapsed.add(id); ui.expanded.delete(id); } else { ui.collapsed.delete(id); ui.expanded.add(id); }
    saveSets();
    void relayout(false);
  }

  function activate(v: VisibleNode): void {
    if (v.kind === 'collapsed') { toggleGroup(v); return; }
    if (v.kind === 'repeat') { ui.unfolded.add(v.repeat!.members[0]); saveSets(); void relayout(false); return; }
    if (v.kind === 'layer' || v.kind === 'input') ctx.reveal(v.node.name);
  }

  function select(id: string | null): void {
    selected = id;
    viewport.selectAll<SVGGElement, NodeDatum>('g.node').classed('selected', (d) => d.v.id === id);
  }

  function centerOn(id: string): void {
    const p = placed?.nodes.get(id);
    if (!p) return;
    const el = svg.node()!;
    const t = d3.zoomTransform(el);
    viewMoved = true;
    svg.transition().duration(250).call(zoom.translateTo, p.x + p.width / 2, p.y + p.height / 2);
    void t;
  }

  function fitScale(): number {
    const { width: w, height: h } = viewSize;
    return Math.min(1.5, 0.95 * Math.min(w / Math.max(1, placed!.width), h / Math.max(1, placed!.height)));
  }

  function fit(animate: boolean): void {
    if (!placed) return;
    measureView();
    const { width: w, height: h } = viewSize;
    const k = fitScale();
    const transform = d3.zoomIdentity.translate((w - placed.width * k) / 2, Math.max(8, (h - placed.height * k) / 2)).scale(k);
    info.textContent = infoText;
    viewMoved = false;
    framedWhole = true;
    (animate ? svg.transition().duration(300) : svg).call(zoom.transform as never, transform);
  }

  /**
   * The first view of a graph: all of it when that is readable; otherwise (a ResNet, a 2,000-layer
   * chain) its input end at a readable zoom, as Netron opens a model, with Fit one key away.
   * Returns whether the whole graph is in view.
   */
  function initialView(): boolean {
    if (!placed || !visible) return true;
    if (fitScale() >= DETAIL_MIN_SCALE) { fit(false); return true; }
    viewMoved = false;
    framedWhole = false;
    const { width: w, height: h } = viewSize;
    const down = direction() === 'DOWN';
    const k = Math.max(DETAIL_MIN_SCALE, Math.min(1, 0.95 * (down ? w / placed.width : h / placed.height)));
    const input = visible.nodes.find((n) => n.kind === 'input');
    const start = input ? placed.nodes.get(input.id) : undefined;
    // Across the flow: centre the graph if it fits, else the input node. Along it: the start at the edge.
    const across = (extent: number, view: number, at: number | undefined) => (extent * k <= view || at === undefined ? (view - extent * k) / 2 : view / 2 - at * k);
    const transform = down
      ? d3.zoomIdentity.translate(across(placed.width, w, start && start.x + start.width / 2), 12).scale(k)
      : d3.zoomIdentity.translate(12, across(placed.height, h, start && start.y + start.height / 2)).scale(k);
    svg.call(zoom.transform as never, transform);
    return false;
  }

  function runSearch(next: boolean): void {
    const q = searchInput.value.trim().toLowerCase();
    if (!visible) return;
    matches = q ? visible.nodes.filter((n) => n.kind !== 'group' && (n.node.name.toLowerCase().includes(q) || n.node.type.toLowerCase().includes(q))).map((n) => n.id) : [];
    if (next && matches.length) {
      matchIndex = (matchIndex + 1) % matches.length;
      select(matches[matchIndex]);
      centerOn(matches[matchIndex]);
    } else matchIndex = -1;
    highlightMatches();
  }

  function highlightMatches(): void {
    const set = new Set(matches);
    viewport.selectAll<SVGGElement, NodeDatum>('g.node').classed('match', (d) => set.has(d.v.id)).classed('dimmed', (d) => set.size > 0 && !set.has(d.v.id));
    root.dataset.matches = String(matches.length);
  }

  function neighbour(id: string, key: string): string | null {
    if (!visible || !placed) return null;
    const vertical = direction() === 'DOWN';
    const forward = vertical ? 'ArrowDown' : 'ArrowRight';
    const backward = vertical ? 'ArrowUp' : 'ArrowLeft';
    if (key === forward) return visible.edges.find((e) => e.from === id)?.to ?? null;
    if (key === backward) return visible.edges.find((e) => e.to === id)?.from ?? null;
    // Sideways: the nearest box in the same rank.
    const here = placed.nodes.get(id)!;
    const candidates = visible.nodes.filter((n) => n.kind !== 'group' && n.id !== id).map((n) => placed!.nodes.get(n.id)!)
      .filter((p) => (vertical ? Math.abs(p.y - here.y) < here.height : Math.abs(p.x - here.x) < here.width))
      .filter((p) => (key === (vertical ? 'ArrowRight' : 'ArrowDown') ? (vertical ? p.x > here.x : p.y > here.y) : (vertical ? p.x < here.x : p.y < here.y)));
    candidates.sort((a, b) => (vertical ? Math.abs(a.x - here.x) - Math.abs(b.x - here.x) : Math.abs(a.y - here.y) - Math.abs(b.y - here.y)));
    return candidates[0]?.id ?? null;
  }

  function onKey(e: KeyboardEvent): void {
    if (!visible) return;
    if (e.key === '/') { e.preventDefault(); searchInput.focus(); return; }
    if (e.key === '0' || e.key === 'f') { fit(true); return; }
    if (e.key === '+' || e.key === '=' || e.key === '-') viewMoved = true;
    if (e.key === '+' || e.key === '=') { svg.transition().duration(150).call(zoom.scaleBy, 1.25); return; }
    if (e.key === '-') { svg.transition().duration(150).call(zoom.scaleBy, 0.8); return; }
    if (e.key.startsWith('Arrow')) {
      e.preventDefault();
      const start = selected ?? visible.nodes.find((n) => n.kind !== 'group')?.id ?? null;
      const next = start && selected ? neighbour(start, e.key) : start;
      if (next) { select(next); centerOn(next); }
      return;
    }
    if (e.key === 'Enter' && selected) { const v = visible.byId.get(selected); if (v) activate(v); }
    if (e.key === 'Escape') { select(null); card.hide(); }
  }

  // ---------- context menu: Freeze / Unfreeze ----------
  function openMenu(e: MouseEvent, v: VisibleNode): void {
    e.preventDefault();
    e.stopPropagation();
    card.hide();
    const n = v.node;
    if (v.kind === 'input' || v.kind === 'output' || v.kind === 'repeat' || n.params === 0) return;
    const frozen = isFrozen(v);
    menu.replaceChildren();
    const item = document.createElement('button');
    item.className = 'menu-item';
    item.dataset.action = frozen ? 'unfreeze' : 'freeze';
    item.textContent = `${frozen ? 'Unfreeze' : 'Freeze'} ${n.kind === 'group' ? 'group' : 'layer'} "${n.name}"`;
    item.title = 'Writes the change into the experiment file’s freeze list';
    item.addEventListener('click', () => {
      closeMenu();
      if (!ctx.freeze(n.name, !frozen)) ctx.warn('freezing edits the experiment file: open the run in VS Code to do it');
    });
    menu.append(item);
    const bounds = root.getBoundingClientRect();
    menu.style.left = `${Math.min(e.clientX - bounds.left, bounds.width - 240)}px`;
    menu.style.top = `${e.clientY - bounds.top}px`;
    menu.hidden = false;
    item.focus();
  }

  function closeMenu(): void {
    menu.hidden = true;
  }

  return {
    id: 'graph',
    title: 'Graph',
    mount(el, context) {
      root = el;
      ctx = context;
      for (const k of ['collapsed', 'expanded', 'unfolded'] as const) for (const id of ctx.getUiState<string[]>(k, [])) ui[k].add(id);
      buildToolbar();
      const stage = d3.select(root).append('div').attr('class', 'graph-stage');
      svg = stage.append('svg').attr('class', 'graph-svg').attr('tabindex', 0).attr('role', 'img')
        .attr('aria-label', 'Model graph. Arrow keys move between layers, Enter opens one, / searches, 0 fits.');
      viewport = svg.append('g').attr('class', 'viewport');
      // The extent is the measured view size: d3's default reads the SVG's size, forcing a layout.
      zoom = d3.zoom<SVGSVGElement, unknown>().scaleExtent([0.02, 4]).extent(() => [[0, 0], [viewSize.width, viewSize.height]]).on('zoom', (e) => {
        viewport.attr('transform', e.transform.toString());
        if (e.sourceEvent) viewMoved = true; // a wheel, drag or pinch (programmatic moves have none)
        root.classList.toggle('zoomed-out', e.transform.k < DETAIL_MIN_SCALE);
        root.classList.toggle('lod-far', e.transform.k < LABEL_MIN_SCALE);
        scheduleDetail();
      });
      svg.call(zoom).on('dblclick.zoom', null);
      // Until the user moves the view, a resized panel (a sidebar opened, the panel area dragged) keeps
      // the graph as it was framed: all of it, or its input end.
      new ResizeObserver(() => {
        measureView();
        if (placed && !viewMoved) { if (framedWhole) fit(false); else initialView(); }
        scheduleDetail();
      }).observe(svg.node()!);
      svg.on('keydown', onKey).on('click', () => select(null));
      card = new HoverCard(root);
      menu = document.createElement('div');
      menu.className = 'graph-menu';
      menu.hidden = true;
      menu.setAttribute('role', 'menu');
      root.append(menu);
      document.addEventListener('click', closeMenu);
      document.addEventListener('keydown', (e) => { if (e.key === 'Escape') closeMenu(); });
      d3.select(root).append('p').attr('class', 'empty graph-empty').text('The graph appears when the model is built.');
      void warmUp().finally(() => { root.dataset.layoutWarm = 'true'; });
    },
    update(s, changes) {
      state = s;
      root.classList.toggle('has-model', Boolean(s.model));
      if (!s.model) return;
      const key = `${s.model.file}|${s.model.graph.nodes.length}|${s.model.graph.edges.length}|${s.model.name}`;
      // The shell flags everything changed on a resize or when the view is shown again: lay out only
      // for a new model (the ResizeObserver keeps the framing), so the user's pan and zoom survive.
      if (key !== graphKey || (changes.model && s.model !== shownModel)) {
        graphKey = key;
        shownModel = s.model;
        fitted = false;
        void relayout(true);
        return;
      }
      if (changes.gradients || changes.status) {
        const step = s.gradients.latest?.step ?? -1;
        paintGradients(step !== lastGradientStep && changes.gradients);
        lastGradientStep = step;
      }
    },
  };
}
