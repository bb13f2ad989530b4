// The torchinfo table with totals and sizes: sortable columns, a depth control and foldable nested
// rows; the same numbers as `model-lens summary`. torchinfo's default columns (output shape, params)
// show first and the others behind a column chooser, so the table fits a half-width panel; the name
// column gives way (ellipsis, full text on hover) before any number is cut.
import * as d3 from 'd3';
import type { SummaryRow } from '../../src/protocol/modelInfo';
import type { Changes, RunState } from '../../src/protocol/runState';
import type { View, ViewContext } from '../view';
import { labelled, textField } from '../controls';
import { formatMs, formatShape } from '../format';
import { countCells, fixed, totalsLines } from '../../src/protocol/summaryNumbers';

type SortKey = 'order' | 'name' | 'params' | 'multAdds' | 'paramPercent' | 'forwardMs';

interface Column { key: string; title: string; sort?: SortKey; numeric?: boolean }

const COLUMNS: Column[] = [
  { key: 'layer', title: 'Layer (type (var_name):depth-idx)', sort: 'name' },
  { key: 'input', title: 'Input Shape' },
  { key: 'output', title: 'Output Shape' },
  { key: 'params', title: 'Param #', sort: 'params', numeric: true },
  { key: 'percent', title: 'Param %', sort: 'paramPercent', numeric: true },
  { key: 'kernel', title: 'Kernel Shape' },
  { key: 'multAdds', title: 'Mult-Adds', sort: 'multAdds', numeric: true },
  { key: 'trainable', title: 'Trainable' },
  { key: 'activations', title: 'Activations (MB)', numeric: true },
  { key: 'facts', title: 'Config' },
  { key: 'fwdTime', title: 'Fwd time (approx.)', sort: 'forwardMs', numeric: true },
];
/** torchinfo's default col_names (output_size, num_params). */
const DEFAULT_COLUMNS = ['output', 'params'];

function cells(row: SummaryRow, maxDepth: number, totalParams: number): Record<string, string> {
  const counts = countCells(row, maxDepth, totalParams);
  return {
    layer: `${row.type} (${row.name})${row.depthIndex ? `: ${row.depthIndex}` : ''}`,
    input: row.inputShapes.length === 0 ? '--' : row.inputShapes.length === 1 ? formatShape(row.inputShapes[0]) : row.inputShapes.map(formatShape).join(', '),
    output: formatShape(row.outputShape),
    // As the CLI prints them ("(recursive)" for a layer or nested model called again).
    params: counts.params,
    percent: counts.percent ?? '--',
    kernel: row.kernelShape ? formatShape(row.kernelShape) : '--',
    multAdds: counts.multAdds,
    trainable: counts.trainable,
    activations: row.activationBytes === undefined ? '--' : fixed(row.activationBytes / 1e6, 2),
    facts: Object.entries(row.facts ?? {}).map(([k, v]) => `${k} ${v}`).join(' · ') || '--',
    fwdTime: row.forwardMs === undefined ? '--' : formatMs(row.forwardMs),
  };
}

export class SummaryView implements View {
  readonly id = 'summary';
  readonly title = 'Summary';
  private root!: HTMLElement;
  private ctx!: ViewContext;
  private last: RunState | null = null;
  /** Containers whose rows the user folded away. */
  private readonly folded = new Set<string>();

  mount(root: HTMLElement, ctx: ViewContext): void {
    this.root = root;
    this.ctx = ctx;
  }

  update(state: RunState, changes: Changes): void {
    if (changes.model || this.last !== state) this.draw(state);
    this.last = state;
  }

  /** Checkboxes for the columns after the layer's name; the choice is kept with the panel's state. */
  private columnChooser(shown: ReadonlySet<string>, state: RunState): HTMLElement {
    const chooser = document.createElement('details');
    chooser.className = 'column-chooser';
    const label = document.createElement('summary');
    label.textContent = `Columns (${shown.size}/${COLUMNS.length - 1})`;
    chooser.append(label);
    const list = document.createElement('div');
    list.className = 'column-list';
    for (const c of COLUMNS.slice(1)) {
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = shown.has(c.key);
      box.dataset.column = c.key;
      box.addEventListener('change', () => {
        const next = COLUMNS.slice(1).map((k) => k.key).filter((k) => (k === c.key ? box.checked : shown.has(k)));
        this.ctx.setUiState('columns', next);
        this.draw(state);
        this.root.querySelector<HTMLDetailsElement>('details.column-chooser')!.open = true;
      });
      const item = document.createElement('label');
      item.append(box, ` ${c.title}`);
      list.append(item);
    }
    chooser.append(list);
    return chooser;
  }

  private draw(state: RunState): void {
    const { root, ctx, folded } = this;
    const summary = state.model?.summary;
    root.replaceChildren();
    if (!summary) {
      root.append(Object.assign(document.createElement('p'), { className: 'empty', textContent: 'The summary appears when the model is built.' }));
      return;
    }
    const allRows = summary.layers;
    const maxAvailable = Math.max(...allRows.map((r) => r.depth));
    const depth = Math.min(ctx.getUiState('depth', summary.depth), maxAvailable);
    const sort = ctx.getUiState<SortKey>('sort', 'order');
    const descending = ctx.getUiState('descending', true);

    const toolbar = document.createElement('div');
    toolbar.className = 'toolbar';
    const depthInput = textField({ className: 'depth-input', label: 'Depth', type: 'number', min: 0, max: maxAvailable, value: depth });
    depthInput.addEventListener('change', () => {
      ctx.setUiState('depth', Math.max(0, Number(depthInput.value) || 0));
      this.draw(state);
    });
    toolbar.append(labelled('Depth', depthInput));
    const shown = new Set(ctx.getUiState<string[]>('columns', DEFAULT_COLUMNS));
    toolbar.append(this.columnChooser(shown, state));
    root.append(toolbar);
    const columns = COLUMNS.filter((c) => c.key === 'layer' || shown.has(c.key));

    // Rows: depth limit, folded containers hide their descendants.
    const visible: SummaryRow[] = [];
    const hiddenUnder: string[] = [];
    for (const row of allRows) {
      while (hiddenUnder.length && !isDescendant(allRows, row, hiddenUnder[hiddenUnder.length - 1])) hiddenUnder.pop();
      if (row.depth > depth || hiddenUnder.length) continue;
      visible.push(row);
      if (row.isContainer && folded.has(row.name)) hiddenUnder.push(row.name);
    }
    const ordered = sort === 'order' ? visible : [...visible].sort((a, b) => {
      const v = sort === 'name' ? a.name.localeCompare(b.name) : (a[sort] ?? 0) - (b[sort] ?? 0);
      return descending ? -v : v;
    });

    const table = d3.select(root).append('table').attr('class', 'summary-table');
    const head = table.append('thead').append('tr');
    head.selectAll('th').data(columns).join('th')
      .attr('class', (c) => `${c.numeric ? 'num' : ''} ${c.sort ? 'sortable' : ''} col-${c.key}`)
      .attr('data-column', (c) => c.key)
      .attr('aria-sort', (c) => (c.sort && c.sort === sort ? (descending ? 'descending' : 'ascending') : null))
      .text((c) => c.title + (c.sort && c.sort === sort ? (descending ? ' ▼' : ' ▲') : ''))
      .on('click', (_e, c) => {
        if (!c.sort) return;
        if (sort === c.sort) {
          if (!descending) ctx.setUiState('sort', 'order'); else ctx.setUiState('descending', false);
        } else { ctx.setUiState('sort', c.sort); ctx.setUiState('descending', true); }
        this.draw(state);
      });
    const body = table.append('tbody');
    const rows = body.selectAll('tr').data(ordered, (r) => (r as SummaryRow).depthIndex || 'root').join('tr')
      .attr('class', (r) => `depth-${r.depth} ${r.isContainer ? 'container' : ''} ${r.trainable === false && r.params > 0 ? 'frozen' : ''}`)
      .attr('data-layer', (r) => r.name);
    const toggleFold = (name: string) => { if (folded.has(name)) folded.delete(name); else folded.add(name); this.draw(state); };
    rows.selectAll('td').data((r) => columns.map((c) => ({ c, r, text: cells(r, depth, summary.totals.totalParams)[c.key] }))).join('td')
      .attr('class', (d) => `${d.c.numeric ? 'num' : ''} col-${d.c.key}`)
      .each(function (d) {
        const td = d3.select(this);
        td.text('');
        if (d.c.key !== 'layer') { td.text(d.text); return; }
        td.style('padding-left', `${0.4 + d.r.depth * 1.2}em`);
        if (d.r.isContainer && d.r.depth > 0) {
          td.append('button').attr('class', 'fold').attr('aria-label', folded.has(d.r.name) ? 'Expand' : 'Collapse')
            .text(folded.has(d.r.name) ? '▸' : '▾')
            .on('click', () => toggleFold(d.r.name));
        }
        const link = td.append('span').attr('class', d.r.source ? 'layer-name link' : 'layer-name').text(d.text);
        const stack = d.r.callStack?.map((f) => `${f.function ?? '(top level)'}  ${f.file.split(/[\\/]/).pop()}:${f.line}`).join('\n');
        link.attr('title', [d.text, d.r.source && `${d.r.source.file}:${d.r.source.line}`, stack].filter(Boolean).join('\n'));
        if (d.r.source) link.on('click', () => ctx.reveal(d.r.name));
      });

    // As `model-lens summary` prints them (torchinfo's units: "Total mult-adds (M)", sizes in MB).
    const dl = d3.select(root).append('dl').attr('class', 'summary-totals');
    for (const { label, unit, text } of totalsLines(summary.totals)) {
      dl.append('dt').text(label + unit);
      dl.append('dd').attr('data-total', label).text(text);
    }
    const timed = shown.has('fwdTime') ? (summary.timedSamples
      ? ` Fwd time is approximate: each layer applied alone on ${summary.timedSamples} random sample${summary.timedSamples === 1 ? '' : 's'}.`
      : ' Fwd time: not measured (the model is too big to time quickly).') : '';
    d3.select(root).append('p').attr('class', 'note').text(`Batch size ${summary.batchSize}. Parameters in parentheses are frozen (not trainable).${timed}`);
  }
}

/** True when `row` sits inside the container row named `ancestor` (walking parents). */
function isDescendant(rows: SummaryRow[], row: SummaryRow, ancestor: string): boolean {
  let parent = row.parent;
  while (parent) {
    if (parent === ancestor) return true;
    parent = rows.find((r) => r.name === parent)?.parent ?? null;
  }
  return false;
}
