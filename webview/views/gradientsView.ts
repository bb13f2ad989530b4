// Gradients: the gradient-flow plot of the latest sampled step (mean and max |g| per layer, log
// scale), the update-to-weight ratio per layer with its 1e-3 guide, a layers × steps heatmap of the
// gradient L2 norm, and one layer's gradient histograms over time as ridges.
import type { RunState } from '../../src/protocol/runState';
import type { View, ViewContext } from '../view';
import { Heatmap } from '../charts/heatmap';
import { LayerBars } from '../charts/layerBars';
import { RidgePlot } from '../charts/ridgePlot';
import { everythingChanged, WidthWatcher } from '../charts/widthWatcher';

export function createGradientsView(): View {
  let root: HTMLElement;
  let ctx: ViewContext;
  let last: RunState | null = null;
  let empty: HTMLParagraphElement;
  let content: HTMLDivElement;
  let info: HTMLSpanElement;
  let flow: LayerBars;
  let ratio: LayerBars;
  let heatmap: Heatmap;
  let ridgeChart: HTMLDivElement;
  let ridgeSubtitle: HTMLSpanElement;
  let select: HTMLSelectElement;
  let ridgeEmpty: HTMLParagraphElement;
  let ridges: RidgePlot;
  let ridgeKey = '';
  const widths = new WidthWatcher(() => { if (last && !content.hidden) draw(last); });

  function mount(el: HTMLElement, context: ViewContext): void {
    root = el;
    root.classList.add('chart-view');
    ctx = context;
    empty = document.createElement('p');
    empty.className = 'empty';
    content = document.createElement('div');
    content.className = 'gradients';
    content.hidden = true;
    const toolbar = document.createElement('div');
    toolbar.className = 'toolbar';
    info = document.createElement('span');
    info.className = 'note';
    info.dataset.info = 'gradients';
    toolbar.append(info);
    const grid = document.createElement('div');
    grid.className = 'chart-grid';
    content.append(toolbar, grid);
    root.append(empty, content);

    const reveal = (layer: string) => ctx.reveal(layer);
    flow = new LayerBars(grid, {
      id: 'gradient-flow', title: 'Gradient flow', axisLabel: '|gradient| (log scale)', onLayerClick: reveal,
      metrics: [
        { key: 'maxAbs', label: 'max |g|', colour: 'var(--ml-series-1)', layer: 'back' },
        { key: 'meanAbs', label: 'mean |g|', colour: 'var(--ml-series-1)', layer: 'front' },
      ],
    });
    ratio = new LayerBars(grid, {
      id: 'update-ratio', title: 'Update / weight ratio', axisLabel: '‖Δw‖ / ‖w‖ per step (log scale)', onLayerClick: reveal,
      metrics: [{ key: 'updateRatio', label: 'ratio', colour: 'var(--ml-series-3)', layer: 'front' }],
      guide: { value: 1e-3, label: '1e-3 guide' },
      healthy: [1e-4, 1e-2],
    });
    heatmap = new Heatmap(grid, { id: 'gradient-heatmap', title: 'Gradient L2 norm per layer over steps', valueLabel: '‖g‖₂ (log colour scale)' });
    heatmap.root.classList.add('chart-wide');

    ridgeChart = document.createElement('div');
    ridgeChart.className = 'chart chart-wide chart-histograms';
    ridgeChart.dataset.chart = 'histograms';
    const head = document.createElement('div');
    head.className = 'chart-head';
    const title = document.createElement('h3');
    title.className = 'chart-title';
    title.textContent = 'Gradient histograms';
    const label = document.createElement('label');
    label.className = 'toolbar chart-control';
    label.textContent = 'Layer ';
    select = document.createElement('select');
    select.dataset.control = 'histogram-layer';
    select.setAttribute('aria-label', 'Layer of the gradient histograms');
    select.addEventListener('change', () => {
      ctx.setUiState('histogramLayer', select.value);
      ridgeKey = '';
      if (last) drawRidges(last);
    });
    label.append(select);
    ridgeSubtitle = document.createElement('span');
    ridgeSubtitle.className = 'chart-subtitle';
    head.append(title, label, ridgeSubtitle);
    const body = document.createElement('div');
    body.className = 'chart-body';
    ridgeEmpty = document.createElement('p');
    ridgeEmpty.className = 'empty';
    ridgeChart.append(head, ridgeEmpty, body);
    grid.append(ridgeChart);
    ridges = new RidgePlot(body, 320);
    widths.watch(flow.root, ratio.root, heatmap.root, ridgeChart);
  }

  function draw(state: RunState): void {
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
    drawRidges(state, w[3]);
  }

  function drawRidges(state: RunState, width = widths.width(ridgeChart, () => root.clientWidth - 20)): void {
    const g = state.gradients;
    const withHistograms = g.layers.filter((l) => g.histograms[l]?.length);
    const wanted = ctx.getUiState<string>('histogramLayer', '');
    const layer = withHistograms.includes(wanted) ? wanted : withHistograms[0] ?? '';
    const optionsKey = withHistograms.join('\n');
    if (select.dataset.options !== optionsKey) {
      select.replaceChildren(...withHistograms.map((l) => {
        const o = document.createElement('option');
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
    if (key === ridgeKey) return;
    ridgeKey = key;
    const every = state.model?.plan.histogramEvery;
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

  return {
    id: 'gradients',
    title: 'Gradients',
    mount,
    update(state, changes) {
      const fresh = state !== last;
      last = state;
      if (fresh) ridgeKey = '';
      if (!fresh && !changes.gradients && !changes.model && !changes.status) return;
      if (everythingChanged(changes)) widths.invalidate();
      draw(state);
    },
  };
}
