// Gradients: the gradient-flow plot of the latest sampled step (mean and max |g| per layer, log
// scale), the update-to-weight ratio per layer with its 1e-3 guide, a layers × steps heatmap of the
// gradient L2 norm, and one layer's gradient histograms over time as ridges.
import type { Changes, RunState } from '../../src/protocol/runState';
import type { View, ViewContext } from '../view';
import { labelled, selectField, type SelectField } from '../controls';
import { Heatmap } from '../charts/heatmap';
import { LayerBars } from '../charts/layerBars';
import { RidgePlot } from '../charts/ridgePlot';
import { everythingChanged, WidthWatcher } from '../charts/widthWatcher';

export class GradientsView implements View {
  readonly id = 'gradients';
  readonly title = 'Gradients';
  private root!: HTMLElement;
  private ctx!: ViewContext;
  private last: RunState | null = null;
  private empty!: HTMLParagraphElement;
  private content!: HTMLDivElement;
  private info!: HTMLSpanElement;
  private flow!: LayerBars;
  private ratio!: LayerBars;
  private heatmap!: Heatmap;
  private ridgeChart!: HTMLDivElement;
  private ridgeSubtitle!: HTMLSpanElement;
  private select!: SelectField;
  private ridgeEmpty!: HTMLParagraphElement;
  private ridges!: RidgePlot;
  /** What the ridges were last drawn for: they are drawn again only when it changes. */
  private ridgeKey = '';
  private readonly widths = new WidthWatcher(() => { if (this.last && !this.content.hidden) this.draw(this.last); });

  mount(root: HTMLElement, ctx: ViewContext): void {
    this.root = root;
    root.classList.add('chart-view');
    this.ctx = ctx;
    this.empty = document.createElement('p');
    this.empty.className = 'empty';
    const content = this.content = document.createElement('div');
    content.className = 'gradients';
    content.hidden = true;
    const toolbar = document.createElement('div');
    toolbar.className = 'toolbar';
    this.info = document.createElement('span');
    this.info.className = 'note';
    this.info.dataset.info = 'gradients';
    toolbar.append(this.info);
    const grid = document.createElement('div');
    grid.className = 'chart-grid';
    content.append(toolbar, grid);
    root.append(this.empty, content);

    const reveal = (layer: string) => ctx.reveal(layer);
    this.flow = new LayerBars(grid, {
      id: 'gradient-flow', title: 'Gradient flow', axisLabel: '|gradient| (log scale)', onLayerClick: reveal,
      metrics: [
        { key: 'maxAbs', label: 'max |g|', colour: 'var(--ml-series-1)', layer: 'back' },
        { key: 'meanAbs', label: 'mean |g|', colour: 'var(--ml-series-1)', layer: 'front' },
      ],
    });
    this.ratio = new LayerBars(grid, {
      id: 'update-ratio', title: 'Update / weight ratio', axisLabel: '‖Δw‖ / ‖w‖ per step (log scale)', onLayerClick: reveal,
      metrics: [{ key: 'updateRatio', label: 'ratio', colour: 'var(--ml-series-3)', layer: 'front' }],
      guide: { value: 1e-3, label: '1e-3 guide' },
      healthy: [1e-4, 1e-2],
    });
    this.heatmap = new Heatmap(grid, { id: 'gradient-heatmap', title: 'Gradient L2 norm per layer over steps', valueLabel: '‖g‖₂ (log colour scale)' });
    this.heatmap.root.classList.add('chart-wide');

    const ridgeChart = this.ridgeChart = document.createElement('div');
    ridgeChart.className = 'chart chart-wide chart-histograms';
    ridgeChart.dataset.chart = 'histograms';
    const head = document.createElement('div');
    head.className = 'chart-head';
    const title = document.createElement('h3');
    title.className = 'chart-title';
    title.textContent = 'Gradient histograms';
    const select = this.select = selectField({ className: 'histogram-layer', label: 'Layer of the gradient histograms', options: [], value: '' });
    select.dataset.control = 'histogram-layer';
    select.addEventListener('change', () => {
      ctx.setUiState('histogramLayer', select.value);
      this.ridgeKey = '';
      if (this.last) this.drawRidges(this.last);
    });
    const label = labelled('Layer', select);
    label.classList.add('toolbar', 'chart-control');
    this.ridgeSubtitle = document.createElement('span');
    this.ridgeSubtitle.className = 'chart-subtitle';
    head.append(title, label, this.ridgeSubtitle);
    const body = document.createElement('div');
    body.className = 'chart-body';
    this.ridgeEmpty = document.createElement('p');
    this.ridgeEmpty.className = 'empty';
    ridgeChart.append(head, this.ridgeEmpty, body);
    grid.append(ridgeChart);
    this.ridges = new RidgePlot(body, 320);
    this.widths.watch(this.flow.root, this.ratio.root, this.heatmap.root, ridgeChart);
  }

  update(state: RunState, changes: Changes): void {
    const fresh = state !== this.last;
    this.last = state;
    if (fresh) this.ridgeKey = '';
    if (!fresh && !changes.gradients && !changes.model && !changes.status) return;
    if (everythingChanged(changes)) this.widths.invalidate();
    this.draw(state);
  }

  private draw(state: RunState): void {
    const { empty, content, info, flow, ratio, heatmap, ridgeChart, widths, root } = this;
    const g = state.gradients;
    if (!g.steps.length || !g.latest) {
      content.hidden = true;
      empty.hidden = false;
      const plan = state.model?.plan;
      empty.textContent = state.status === 'error' || state.status === 'stopped' || state.status === 'completed'
        ? 'This run recorded no gradient figures.'
        : plan
          ? `Gradient figures appear at the first sampled step (every ${plan.gradientEvery} steps).`
          : 'Gradient flow, update ratios and gradient histograms appear here when training starts.';
      return;
    }
    empty.hidden = true;
    content.hidden = false;
    const plan = state.model?.plan ?? null;
    const latest = g.latest;
    info.textContent = `Latest sampled step ${latest.step} (epoch ${latest.epoch})` +
      (plan ? ` · gradients every ${plan.gradientEvery} steps, histograms every ${plan.histogramEvery}` : '') +
      ' · click a layer name to open its source';

    const byName = new Map(latest.layers.map((l) => [l.layer, l]));
    const rows = g.layers.map((name) => {
      const l = byName.get(name);
      const frozen = l?.frozen ?? g.byLayer[name].frozen;
      return { layer: name, frozen, values: { meanAbs: l?.meanAbs ?? null, maxAbs: l?.maxAbs ?? null, updateRatio: l?.updateRatio ?? null } };
    });
    const fallback = () => root.clientWidth - 20;
    const w = [flow.root, ratio.root, heatmap.root, ridgeChart].map((el) => widths.width(el, fallback));
    flow.subtitle.textContent = `step ${latest.step}`;
    ratio.subtitle.textContent = `step ${latest.step}`;
    flow.render(w[0], rows);
    ratio.render(w[1], rows);

    const lastStep = g.steps[g.steps.length - 1];
    const every = plan?.gradientEvery ?? (g.steps.length > 1 ? lastStep - g.steps[g.steps.length - 2] : 1);
    const total = Math.max(plan?.totalSteps ?? 0, lastStep);
    heatmap.subtitle.textContent = `${g.steps.length} sampled step${g.steps.length === 1 ? '' : 's'}`;
    heatmap.render({
      width: w[2],
      rows: g.layers.map((name) => ({ layer: name, frozen: g.byLayer[name].frozen, values: g.byLayer[name].l2 })),
      steps: g.steps,
      xDomain: [0, total],
      lastEnd: Math.min(total, lastStep + every),
    });
    this.drawRidges(state, w[3]);
  }

  private drawRidges(state: RunState, width = this.widths.width(this.ridgeChart, () => this.root.clientWidth - 20)): void {
    const { select, ridges, ridgeEmpty, ridgeSubtitle } = this;
    const g = state.gradients;
    const withHistograms = g.layers.filter((l) => g.histograms[l]?.length);
    const wanted = this.ctx.getUiState<string>('histogramLayer', '');
    const layer = withHistograms.includes(wanted) ? wanted : withHistograms[0] ?? '';
    const optionsKey = withHistograms.join('\n');
    if (select.dataset.options !== optionsKey) {
      select.replaceChildren(...withHistograms.map((l) => {
        const o = document.createElement('vscode-option');
        o.value = l;
        o.textContent = l;
        return o;
      }));
      select.dataset.options = optionsKey;
    }
    select.value = layer;
    select.disabled = withHistograms.length === 0;
    const list = layer ? g.histograms[layer] : [];
    const key = `${layer}|${list.length}|${list[list.length - 1]?.step}|${width}`;
    if (key === this.ridgeKey) return;
    this.ridgeKey = key;
    const every = state.model?.plan?.histogramEvery;
    if (!list.length) {
      ridgeEmpty.hidden = false;
      ridges.render(width, []);
      ridgeEmpty.textContent = `No gradient histograms yet${every ? ` (sampled every ${every} steps)` : ''}.`;
      ridgeSubtitle.textContent = '';
      return;
    }
    ridgeEmpty.hidden = true;
    ridgeSubtitle.textContent = `${list.length} sampled step${list.length === 1 ? '' : 's'}, newest in front; each ridge scaled to its peak`;
    ridges.render(width, list);
  }
}
