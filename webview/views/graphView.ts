// The graph view: torchview's picture of the model, interactive and live. Nested models are groups
// that collapse and expand in place, identical blocks fold into "×N", the layout comes from elkjs in
// a worker, and during training every layer is coloured by its gradient norm. This is the view's
// controller: it turns the run into a laid-out graph for the canvas (graph/graphCanvas.ts, which
// draws) and wires the toolbar, search, keys, the context menu, the hover card and export.
import type { ModelGraph } from '../../src/protocol/modelInfo';
import { deadLayers, type Changes, type RunState } from '../../src/protocol/runState';
import type { View, ViewContext } from '../view';
import type { ScreenDirection } from '../graph/canvasGeometry';
import { GraphCanvas } from '../graph/graphCanvas';
import { exportGraph } from '../graph/graphExport';
import { GraphLayout, type LayoutDirection } from '../graph/graphLayout';
import { isFrozen } from '../graph/graphScene';
import { GraphToolbar } from '../graph/graphToolbar';
import { HoverCard } from '../graph/hoverCard';
import { LayerMenu } from '../graph/layerMenu';
import { Minimap } from '../graph/minimap';
import { nodeHeat } from '../graph/nodeHeat';
import { computeVisibleGraph, DEFAULT_DEPTH, findNodes, openingDepth, type VisibleGraph, type VisibleNode } from '../graph/visibleGraph';
import { warmUpGraph } from '../graph/warmUpGraph';

const ARROWS: Record<string, ScreenDirection> = { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' };
const SET_KEYS = ['collapsed', 'expanded', 'unfolded'] as const;

export class GraphView implements View {
  readonly id = 'graph';
  readonly title = 'Graph';
  private root!: HTMLElement;
  private ctx!: ViewContext;
  private canvas!: GraphCanvas;
  private toolbar!: GraphToolbar;
  private card!: HoverCard;
  private menu!: LayerMenu;
  private readonly layout = new GraphLayout();
  /** The user's choices per group, kept in the webview's state. */
  private readonly ui = { collapsed: new Set<string>(), expanded: new Set<string>(), unfolded: new Set<string>() };

  private state: RunState | null = null;
  /** The graph on screen: the model's, or what built before a layer call failed. */
  private shownGraph: ModelGraph | null = null;
  private graphKey = '';
  /** Bumped by every layout: a layout that a newer one superseded is dropped. */
  private layoutToken = 0;
  private fitted = false;
  private infoText = '';
  private matches: string[] = [];
  private matchIndex = -1;
  private lastGradientStep = -1;

  mount(root: HTMLElement, ctx: ViewContext): void {
    this.root = root;
    this.ctx = ctx;
    for (const k of SET_KEYS) for (const id of ctx.getUiState<string[]>(k, [])) this.ui[k].add(id);
    this.toolbar = new GraphToolbar(root, { depth: ctx.getUiState('depth', DEFAULT_DEPTH), direction: this.direction() }, {
      search: (query, next) => this.search(query, next),
      leaveSearch: () => this.canvas.svg.focus(),
      depth: (depth) => {
        ctx.setUiState('depth', depth);
        this.ui.collapsed.clear();
        this.ui.expanded.clear();
        this.saveSets();
        void this.relayout(true);
      },
      direction: (direction) => { ctx.setUiState('direction', direction); void this.relayout(true); },
      fit: () => this.fit(),
      export: (format) => void exportGraph(this.canvas.exportSvg(), format, ctx),
    });
    const stage = document.createElement('div');
    stage.className = 'graph-stage';
    root.append(stage);
    this.canvas = new GraphCanvas(stage, {
      activate: (v) => this.activate(v),
      toggleGroup: (v) => this.toggleGroup(v),
      contextMenu: (v, e) => this.openMenu(v, e),
      hover: (v, e) => { if (v) this.card.show(v, this.state, e); else this.card.hide(); },
      hoverMove: (e) => this.card.move(e),
    });
    const minimap = new Minimap(stage, (x, y) => this.canvas.panTo(x, y));
    this.canvas.onViewport((view) => minimap.update(this.canvas.current, view.onScreen));
    this.canvas.svg.addEventListener('keydown', (e) => this.onKey(e));
    // A click opens the source or toggles a group: the card would cover what it changes.
    this.canvas.svg.addEventListener('pointerdown', () => this.card.hide());
    this.card = new HoverCard(root);
    this.menu = new LayerMenu(root);
    const empty = document.createElement('p');
    empty.className = 'empty graph-empty';
    empty.textContent = 'The graph appears when the model is built.';
    root.append(empty);
    void this.warmUp().finally(() => { root.dataset.layoutWarm = 'true'; });
  }

  update(s: RunState, changes: Changes): void {
    this.state = s;
    const graph = shownGraph(s);
    this.root.classList.toggle('has-model', Boolean(graph));
    this.root.classList.toggle('partial-graph', !s.model && Boolean(graph));
    if (!graph) return;
    const key = `${s.model?.file ?? 'partial'}|${graph.nodes.length}|${graph.edges.length}|${s.model?.name ?? s.error?.message}`;
    // The shell flags everything changed on a resize or when the view is shown again: lay out only
    // for a new model (the canvas keeps the framing on a resize), so the user's pan and zoom survive.
    if (key !== this.graphKey || ((changes.model || changes.status) && graph !== this.shownGraph)) {
      this.graphKey = key;
      this.shownGraph = graph;
      this.fitted = false;
      void this.relayout(true);
      return;
    }
    if (changes.gradients || changes.status) {
      const step = s.gradients.latest?.step ?? -1;
      this.paintGradients(step !== this.lastGradientStep && changes.gradients);
      this.lastGradientStep = step;
    }
  }

  private direction(): LayoutDirection {
    return this.ctx.getUiState<LayoutDirection>('direction', 'DOWN');
  }

  /** The user's depth, else the one `graph` opens at. */
  private depth(graph: ModelGraph): number {
    return this.ctx.getUiState<number | null>('depth', null) ?? openingDepth(graph);
  }

  private saveSets(): void {
    for (const k of SET_KEYS) this.ctx.setUiState(k, [...this.ui[k]]);
  }

  private heatOf(visible: VisibleGraph): ReturnType<typeof nodeHeat> {
    return nodeHeat(visible.nodes, this.state?.gradients.latest ?? null, this.state?.anomaly?.layer ?? null, this.state ? deadLayers(this.state) : undefined);
  }

  /**
   * Lays out and draws a made-up residual network a few times, unseen, before the first model comes
   * (see warmUpGraph.ts): a fresh page runs the drawing code, and a fresh worker ELK's first layouts,
   * many times slower than once compiled. Stops as soon as a model arrives.
   */
  private async warmUp(): Promise<void> {
    try {
      for (let round = 0; round < 4 && !this.state?.model; round++) {
        const visible = computeVisibleGraph(warmUpGraph(16, round), { collapsed: new Set(), expanded: new Set(), unfolded: new Set(), depth: DEFAULT_DEPTH });
        const direction: LayoutDirection = round % 2 ? 'RIGHT' : 'DOWN';
        const placed = await this.layout.layout(visible, direction);
        if (this.state?.model) break;
        this.canvas.rehearse({ visible, placed, direction });
      }
    } catch (e) {
      this.ctx.warn(`graph warm-up failed: ${(e as Error).message}`);
    }
  }

  private async relayout(refit: boolean): Promise<void> {
    const graph = this.state && shownGraph(this.state);
    if (!graph) return;
    const token = ++this.layoutToken;
    const depth = this.depth(graph);
    this.toolbar.showDepth(depth);
    const visible = computeVisibleGraph(graph, { ...this.ui, depth });
    const direction = this.direction();
    let placed;
    try {
      placed = await this.layout.layout(visible, direction);
    } catch (e) {
      this.ctx.warn(`graph layout failed: ${(e as Error).message}`);
      return;
    }
    if (token !== this.layoutToken) return; // a newer layout superseded this one
    const root = this.root;
    root.dataset.layoutMs = placed.ms.toFixed(1);
    root.dataset.laidOut = String(placed.laidOut);
    const whole = this.canvas.setGraph({ visible, placed, direction }, { reframe: refit || !this.fitted, heat: this.heatOf(visible) });
    this.fitted = true;
    root.dataset.renderedAt = performance.now().toFixed(1);
    const count = visible.nodes.filter((n) => n.kind !== 'group').length;
    root.dataset.nodes = String(count);
    this.infoText = `${count} nodes · ${visible.edges.length} edges · layout ${placed.ms.toFixed(0)} ms`;
    this.toolbar.setInfo(`${this.infoText}${whole ? '' : ' · showing the input end: Fit (0) shows all'}`);
    this.toolbar.showLegend(Boolean(this.state?.gradients.latest));
  }

  private paintGradients(flash: boolean): void {
    const graph = this.canvas.current;
    if (!graph) return;
    this.canvas.setHeat(this.heatOf(graph.visible), flash);
    this.toolbar.showLegend(Boolean(this.state?.gradients.latest));
  }

  private fit(): void {
    this.canvas.fit(true);
    this.toolbar.setInfo(this.infoText);
  }

  private toggleGroup(v: VisibleNode): void {
    const id = v.node.id;
    if (v.kind === 'group') { this.ui.collapsed.add(id); this.ui.expanded.delete(id); } else { this.ui.collapsed.delete(id); this.ui.expanded.add(id); }
    this.saveSets();
    void this.relayout(false);
  }

  private activate(v: VisibleNode): void {
    if (v.kind === 'collapsed') { this.toggleGroup(v); return; }
    if (v.kind === 'repeat') { this.ui.unfolded.add(v.repeat!.members[0]); this.saveSets(); void this.relayout(false); return; }
    if (v.kind === 'layer' || v.kind === 'input') this.ctx.reveal(v.node.name);
  }

  private search(query: string, next: boolean): void {
    const graph = this.canvas.current;
    if (!graph) return;
    this.matches = findNodes(graph.visible, query);
    if (next && this.matches.length) {
      this.matchIndex = (this.matchIndex + 1) % this.matches.length;
      const id = this.matches[this.matchIndex];
      this.canvas.select(id);
      this.canvas.centerOn(id);
    } else this.matchIndex = -1;
    this.canvas.highlight(this.matches);
    this.root.dataset.matches = String(this.matches.length);
  }

  private onKey(e: KeyboardEvent): void {
    const graph = this.canvas.current;
    if (!graph) return;
    const selected = this.canvas.selected;
    if (e.key === '/') { e.preventDefault(); this.toolbar.focusSearch(); return; }
    if (e.key === '0' || e.key === 'f') { this.fit(); return; }
    if (e.key === '+' || e.key === '=') { this.canvas.zoomBy(1.25); return; }
    if (e.key === '-') { this.canvas.zoomBy(0.8); return; }
    const towards = ARROWS[e.key];
    if (towards) {
      e.preventDefault();
      // The first arrow selects the first box; the next ones move along the graph.
      const next = selected ? this.canvas.neighbour(selected, towards) : graph.visible.nodes.find((n) => n.kind !== 'group')?.id ?? null;
      if (next) { this.canvas.select(next); this.canvas.centerOn(next); }
      return;
    }
    if (e.key === 'Enter' && selected) { const v = graph.visible.byId.get(selected); if (v) this.activate(v); }
    if (e.key === 'Escape') { this.canvas.select(null); this.card.hide(); }
  }

  private openMenu(v: VisibleNode, e: MouseEvent): void {
    e.preventDefault();
    e.stopPropagation();
    this.card.hide();
    const n = v.node;
    if (v.kind === 'input' || v.kind === 'output' || v.kind === 'repeat' || n.params === 0) return;
    const frozen = isFrozen(n);
    this.menu.open(e, [{
      action: frozen ? 'unfreeze' : 'freeze',
      label: `${frozen ? 'Unfreeze' : 'Freeze'} ${n.kind === 'group' ? 'group' : 'layer'} "${n.name}"`,
      title: 'Writes the change into the experiment file’s freeze list',
      run: () => { if (!this.ctx.freeze(n.name, !frozen)) this.ctx.warn('freezing edits the experiment file: open the run in VS Code to do it'); },
    }]);
  }
}

/** The model's graph, or the partial graph of a build that failed at a layer call. */
function shownGraph(s: RunState): ModelGraph | null {
  return s.model?.graph ?? s.error?.graph ?? null;
}
