// The graph canvas: draws a laid-out graph into an SVG and owns everything about looking at it —
// pan and zoom, framing, which part is in the DOM (only what is within half a screen of the view),
// level of detail, gradient colours, selection and search highlights, hit-testing and the SVG for
// export. It knows nothing of toolbars, keys, menus or the run: the graph view drives it through this
// small API, as Netron's view drives its grapher. Viewport listeners (onViewport) are where a minimap
// or a zoom-dependent drawing subscribes.
import * as d3 from 'd3';
import {
  contains, edgeOverlaps, edgeRoutes, EVERYWHERE, fitTransform, initialTransform, neighbour, nodeAt, overlaps, placedNodes, viewRegion,
  type CanvasGraph, type EdgeDatum, type NodeDatum, type Region, type ScreenDirection, type Size, type Transform,
} from './canvasGeometry';
import { graphSvgText } from './graphExport';
import { gradientScale } from './gradientColors';
import { backpropRanks } from './backpropOrder';
import {
  drawEdgeLabel, drawEdges, drawGroups, drawGroupTitles, drawNodeLabels, drawNodes, drawOverview, paintHeat, sceneLayers, sweep, type NodeSelection, type SceneLayers,
} from './graphScene';
import { detailLevel, MAX_EDGE_LABELS, type DetailLevel } from './levelOfDetail';
import type { NodeHeat } from './nodeHeat';
import type { VisibleNode } from './visibleGraph';

/** What the user does to the drawing; the view decides what it means. */
export interface CanvasHandlers {
  /** A box was clicked (it is selected already). */
  activate(v: VisibleNode): void;
  /** A group's collapse control was clicked. */
  toggleGroup(v: VisibleNode): void;
  contextMenu(v: VisibleNode, e: MouseEvent): void;
  /** The pointer entered a box (v) or left the boxes (null). */
  hover(v: VisibleNode | null, e: MouseEvent): void;
  /** The pointer moved within the box it is over. */
  hoverMove(e: MouseEvent): void;
}

export interface ViewportState {
  transform: Transform;
  size: Size;
  /** The part of the graph on screen, in layout coordinates. */
  onScreen: Region;
  level: DetailLevel;
  /** How the graph was last framed: all of it, or its input end (a graph too big to read whole). */
  framing: 'whole' | 'start';
  /** The user panned or zoomed since: a resize then keeps the view where it is. */
  moved: boolean;
}

/** How close to a box, on screen, the pointer counts as on it. */
const HIT_SLOP_PX = 2;

const toTransform = (t: d3.ZoomTransform): Transform => ({ x: t.x, y: t.y, k: t.k });

export class GraphCanvas {
  /** Focusable; the view listens for keys on it. */
  readonly svg: SVGSVGElement;
  private readonly root: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly viewport: d3.Selection<SVGGElement, unknown, null, undefined>;
  private readonly layers: SceneLayers;
  private readonly zoom: d3.ZoomBehavior<SVGSVGElement, unknown>;
  private readonly listeners = new Set<(state: ViewportState) => void>();
  /** Which draw a node's or edge's texts were made for: they are redrawn once per new graph. */
  private readonly labelledFor = new WeakMap<Element, number>();

  private graph: CanvasGraph | null = null;
  private nodes: NodeDatum[] = [];
  private edges: EdgeDatum[] = [];
  private heat: ReadonlyMap<string, NodeHeat> = new Map();
  private matches = new Set<string>();
  private selectedId: string | null = null;
  private hovered: VisibleNode | null = null;
  private size: Size = { width: 0, height: 0 };
  private drawnRegion: Region | null = null;
  private drawCount = 0;
  private detailFrame = 0;
  private framing: ViewportState['framing'] = 'whole';
  private moved = false;

  constructor(private readonly stage: HTMLElement, private readonly handlers: CanvasHandlers) {
    this.root = d3.select(stage).append('svg').attr('class', 'graph-svg').attr('tabindex', 0).attr('role', 'img')
      .attr('aria-label', 'Model graph. Arrow keys move between layers, Enter opens one, / searches, 0 fits.');
    this.svg = this.root.node()!;
    // Edge labels sit on a patch of the background, so a group's border under one does not show between its words.
    const labelBackground = this.root.append('defs').append('filter').attr('id', 'ml-edge-label-bg')
      .attr('x', -0.04).attr('y', -0.12).attr('width', 1.08).attr('height', 1.24);
    labelBackground.append('feFlood').attr('class', 'edge-label-flood');
    labelBackground.append('feComposite').attr('in', 'SourceGraphic').attr('operator', 'over');
    this.viewport = this.root.append('g').attr('class', 'viewport');
    this.layers = sceneLayers(this.viewport);
    // The extent is the measured view size: d3's default reads the SVG's size, forcing a layout.
    this.zoom = d3.zoom<SVGSVGElement, unknown>().scaleExtent([0.02, 4]).extent(() => [[0, 0], [this.size.width, this.size.height]])
      .on('zoom', (e: d3.D3ZoomEvent<SVGSVGElement, unknown>) => {
        this.viewport.attr('transform', e.transform.toString());
        if (e.sourceEvent) this.moved = true; // a wheel, drag or pinch (programmatic moves have none)
        this.showLevel(detailLevel(e.transform.k));
        this.showOverview(e.transform.k);
        this.scheduleDetail();
      });
    this.root.call(this.zoom).on('dblclick.zoom', null);
    // Until the user moves the view, a resized panel (a sidebar opened, the panel area dragged) keeps
    // the graph as it was framed: all of it, or its input end.
    new ResizeObserver(() => {
      this.measure();
      if (this.graph && !this.moved) this.frame(this.framing === 'whole' ? 'whole' : 'start');
      this.scheduleDetail();
    }).observe(this.svg);
    this.listen();
  }

  get current(): CanvasGraph | null { return this.graph; }
  get selected(): string | null { return this.selectedId; }

  /**
   * Shows a laid-out graph. With `reframe` it is framed afresh (all of it if readable, else its
   * input end); otherwise the view stays. Returns whether the whole graph is in view.
   */
  setGraph(graph: CanvasGraph, options: { reframe: boolean; heat?: ReadonlyMap<string, NodeHeat> }): boolean {
    this.graph = graph;
    this.nodes = placedNodes(graph);
    this.edges = edgeRoutes(graph);
    if (options.heat) this.heat = options.heat;
    this.measure(); // before the DOM changes, so reading the size forces no layout of the new nodes
    const whole = options.reframe ? this.frame('start') : true;
    this.drawCount++;
    this.draw();
    this.updateDetail();
    this.showOverview(this.transform().k);
    return whole;
  }

  /** Colours the boxes by gradient norm; `flash` runs the backprop sweep over them. */
  setHeat(heat: ReadonlyMap<string, NodeHeat>, flash = false): void {
    this.heat = heat;
    const nodes = this.drawnNodes();
    this.paint(nodes);
    if (flash && this.graph) sweep(nodes, backpropRanks(this.graph.visible.nodes.filter((n) => n.kind !== 'group').map((n) => n.id), this.graph.visible.edges));
  }

  select(id: string | null): void {
    this.selectedId = id;
    this.drawnNodes().classed('selected', (d) => d.v.id === id);
  }

  /** Marks the boxes in `ids` and dims the others (nothing dimmed when empty). */
  highlight(ids: readonly string[]): void {
    this.matches = new Set(ids);
    this.markMatches(this.drawnNodes());
  }

  fit(animate: boolean): void {
    if (!this.graph) return;
    this.measure();
    this.moved = false;
    this.framing = 'whole';
    this.applyTransform(fitTransform(this.graph.placed, this.size), animate ? 300 : 0);
  }

  zoomBy(factor: number): void {
    this.moved = true;
    this.root.transition().duration(150).call(this.zoom.scaleBy, factor);
  }

  /** Centres the view on a point of the layout (the minimap's click). */
  panTo(x: number, y: number): void {
    this.moved = true;
    this.root.call(this.zoom.translateTo, x, y);
  }

  centerOn(id: string): void {
    const p = this.graph?.placed.nodes.get(id);
    if (!p) return;
    this.moved = true;
    this.root.transition().duration(250).call(this.zoom.translateTo, p.x + p.width / 2, p.y + p.height / 2);
  }

  /** The node under a point of the page (client coordinates), drawn or not, to within a pixel or two. */
  nodeAt(clientX: number, clientY: number): VisibleNode | null {
    if (!this.graph) return null;
    const t = d3.zoomTransform(this.svg);
    const [x, y] = t.invert(d3.pointer({ clientX, clientY }, this.svg));
    return nodeAt(this.graph, { x, y }, HIT_SLOP_PX / t.k);
  }

  neighbour(id: string, towards: ScreenDirection): string | null {
    return this.graph ? neighbour(this.graph, id, towards) : null;
  }

  viewportState(): ViewportState {
    const t = toTransform(d3.zoomTransform(this.svg));
    return { transform: t, size: { ...this.size }, onScreen: viewRegion(t, this.size), level: detailLevel(t.k), framing: this.framing, moved: this.moved };
  }

  /** Calls `listener` after every change of the view (at most once a frame). Returns an unsubscribe. */
  onViewport(listener: (state: ViewportState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The whole graph as a standalone SVG with every label, whatever the zoom; the view is left as it was. */
  exportSvg(): string {
    const level = this.stage.dataset.detail;
    this.stage.classList.remove('zoomed-out', 'lod-far');
    drawOverview(this.layers.overview, [], 1, 'DOWN');
    this.draw(true);
    this.updateDetail(true);
    const text = graphSvgText(this.viewport.node()!);
    if (level) this.showLevel(level as DetailLevel, true);
    this.draw();
    this.updateDetail();
    this.showOverview(this.transform().k);
    return text;
  }

  /**
   * Draws `graph` completely into an unseen SVG and throws it away: a fresh page runs the drawing
   * code several times slower than once compiled (see warmUpGraph.ts).
   */
  rehearse(graph: CanvasGraph): void {
    const scratch = d3.select(this.stage).append('svg').attr('class', 'graph-warm-up').attr('display', 'none').attr('aria-hidden', 'true');
    try {
      const layers = sceneLayers(scratch.append('g'));
      const nodes = this.drawInto(layers, placedNodes(graph), edgeRoutes(graph), graph, EVERYWHERE);
      this.paint(nodes);
      this.markMatches(nodes);
      this.labelInto(layers, EVERYWHERE, 'full');
    } finally {
      scratch.remove();
    }
  }

  // ---------- drawing ----------

  private drawnNodes(): NodeSelection {
    return this.layers.nodes.selectAll<SVGGElement, NodeDatum>('g.node');
  }

  /**
   * Puts into the DOM the nodes, groups and edges within half a view of the view (all of them with
   * `all`): a big graph costs Chromium's style and layout passes per element, so a ResNet opened at
   * its input end draws ~20 boxes, not 178. Zooming and panning draw more (see updateDetail).
   */
  private draw(all = false): void {
    if (!this.graph) return;
    const region = all ? EVERYWHERE : viewRegion(this.transform(), this.size, 0.5);
    this.drawnRegion = region;
    const nodes = this.drawInto(this.layers, this.nodes, this.edges, this.graph, region);
    this.paint(nodes);
    this.markMatches(nodes);
    nodes.classed('selected', (d) => d.v.id === this.selectedId);
  }

  private drawInto(layers: SceneLayers, all: NodeDatum[], edges: EdgeDatum[], graph: CanvasGraph, region: Region): NodeSelection {
    const near = all.filter((d) => overlaps(d.x, d.y, d.width, d.height, region));
    const groups = near.filter((d) => d.v.kind === 'group');
    drawGroups(layers.groups, groups);
    drawGroupTitles(layers.groupTitles, groups);
    const parentOf = new Map(all.map((d) => [d.v.id, d.v.parent]));
    drawEdges(layers.edges, edges.filter((d) => edgeOverlaps(d, region)), graph.direction, (d) => parentOf.get(d.e.from) !== parentOf.get(d.e.to));
    return drawNodes(layers.nodes, near.filter((d) => d.v.kind !== 'group'));
  }

  private paint(nodes: NodeSelection): void {
    // The colours come from the theme's CSS variables: reading them forces a style pass, so only
    // once there is something to colour.
    const colour = this.heat.size ? gradientScale() : () => 'transparent';
    paintHeat(nodes, this.heat, colour);
  }

  private markMatches(nodes: NodeSelection): void {
    const set = this.matches;
    nodes.classed('match', (d) => set.has(d.v.id)).classed('dimmed', (d) => set.size > 0 && !set.has(d.v.id));
  }

  private scheduleDetail(): void {
    if (!this.detailFrame) this.detailFrame = requestAnimationFrame(() => { this.detailFrame = 0; this.updateDetail(); });
  }

  /**
   * Level of detail, on every zoom at most once a frame: draws more when the view reaches past what
   * is drawn, gives texts only to the boxes and edges within half a screen of the view (none when
   * unreadable), and tells the viewport listeners.
   */
  private updateDetail(all = false): void {
    if (!this.graph) return;
    const t = this.transform();
    if (!all && (!this.drawnRegion || !contains(this.drawnRegion, viewRegion(t, this.size)))) this.draw();
    this.labelInto(this.layers, all ? EVERYWHERE : viewRegion(t, this.size, 0.5), all ? 'full' : detailLevel(t.k));
    if (!all && this.listeners.size) {
      const state = this.viewportState();
      for (const listener of this.listeners) listener(state);
    }
  }

  private labelInto(layers: SceneLayers, r: Region, level: DetailLevel): void {
    const labelled = this.labelledFor;
    const drawCount = this.drawCount;
    const labels = level !== 'far';
    layers.nodes.selectAll<SVGGElement, NodeDatum>('g.node').each(function (d) {
      const show = labels && overlaps(d.x, d.y, d.width, d.height, r);
      const label = this.querySelector('g.node-label')!;
      if (show && labelled.get(this) !== drawCount) { drawNodeLabels(this, d); labelled.set(this, drawCount); }
      const display = show ? 'inline' : 'none';
      if (label.getAttribute('display') !== display) label.setAttribute('display', display);
    });
    const edges = layers.edges.selectAll<SVGGElement, EdgeDatum>('g.edge');
    const edgeLabels = level === 'full' && edges.size() <= MAX_EDGE_LABELS;
    edges.each(function (d) {
      const text = this.querySelector('text.edge-label')!;
      const x = Number(text.getAttribute('x'));
      const y = Number(text.getAttribute('y'));
      const show = edgeLabels && x < r.x1 && x > r.x0 && y < r.y1 && y > r.y0;
      if (show && labelled.get(this) !== drawCount) { drawEdgeLabel(this, d); labelled.set(this, drawCount); }
      const display = show ? 'inline' : 'none';
      if (text.getAttribute('display') !== display) text.setAttribute('display', display);
    });
  }

  /** The top-level groups and blocks, named at a readable size when zoomed out (nothing when zoomed in). */
  private showOverview(k: number): void {
    if (!this.graph) return;
    const items = detailLevel(k) === 'full' ? [] : this.nodes.filter((d) => d.v.parent === null && (d.v.kind === 'group' || d.v.kind === 'collapsed' || d.v.kind === 'repeat'));
    drawOverview(this.layers.overview, items, k, this.graph.direction);
  }

  /** The level as classes on the stage: CSS hides the finer texts and thickens the far view's lines. */
  private showLevel(level: DetailLevel, force = false): void {
    if (!force && this.stage.dataset.detail === level) return;
    this.stage.dataset.detail = level;
    this.stage.classList.toggle('zoomed-out', level !== 'full');
    this.stage.classList.toggle('lod-far', level === 'far');
  }

  // ---------- view ----------

  private transform(): Transform {
    return toTransform(d3.zoomTransform(this.svg));
  }

  private measure(): void {
    const el = this.svg;
    this.size = { width: el.clientWidth || this.stage.clientWidth || 800, height: el.clientHeight || 400 };
  }

  /** Frames the graph afresh: `whole` fits it; `start` shows all of it if readable, else its input end. */
  private frame(how: 'whole' | 'start'): boolean {
    if (!this.graph) return true;
    if (how === 'whole') { this.fit(false); return true; }
    const { transform, whole } = initialTransform(this.graph, this.size);
    this.moved = false;
    this.framing = whole ? 'whole' : 'start';
    this.applyTransform(transform, 0);
    return whole;
  }

  private applyTransform(t: Transform, ms: number): void {
    const transform = d3.zoomIdentity.translate(t.x, t.y).scale(t.k);
    (ms ? this.root.transition().duration(ms) : this.root).call(this.zoom.transform as never, transform);
  }

  // ---------- pointer ----------

  /** One set of listeners on the SVG; the node under the pointer comes from the layout's geometry. */
  private listen(): void {
    const box = (e: MouseEvent) => { const v = this.nodeAt(e.clientX, e.clientY); return v && v.kind !== 'group' ? v : null; };
    this.root
      .on('click', (e: MouseEvent) => {
        const toggle = (e.target as Element).closest?.('text.group-toggle');
        if (toggle) {
          e.stopPropagation();
          this.handlers.toggleGroup(d3.select<Element, NodeDatum>(toggle.parentElement!).datum().v);
          return;
        }
        const v = box(e);
        this.select(v ? v.id : null);
        if (v) { e.stopPropagation(); this.handlers.activate(v); }
      })
      .on('contextmenu', (e: MouseEvent) => {
        const v = this.nodeAt(e.clientX, e.clientY);
        if (v) this.handlers.contextMenu(v, e);
      })
      // mouseover too: a zoom or pan moves boxes under a still pointer without a mousemove.
      .on('mousemove mouseover', (e: MouseEvent) => {
        const v = box(e);
        if (v === this.hovered) { if (v) this.handlers.hoverMove(e); return; }
        this.hovered = v;
        this.handlers.hover(v, e);
      })
      .on('mouseleave', (e: MouseEvent) => {
        if (!this.hovered) return;
        this.hovered = null;
        this.handlers.hover(null, e);
      });
  }
}
