// The summary as torchinfo prints it (formatting.py / model_statistics.py): a header, one line per
// row with tree prefixes, totals, and sizes in MB (1e6 bytes). Counting happens in modelSummary.ts.
import type { ModelSummary, Shape, SummaryRow } from '../protocol/modelInfo';
import { countCells, totalsLines } from '../protocol/summaryNumbers';

/** torchinfo's column names (`col_names`), in its order, with their headers. */
export const SUMMARY_COLUMNS = {
  input_size: 'Input Shape', output_size: 'Output Shape', num_params: 'Param #', params_percent: 'Param %',
  kernel_size: 'Kernel Shape', mult_adds: 'Mult-Adds', trainable: 'Trainable',
  // Not torchinfo's: the layer's measured forward time, when the model was small enough to time.
  fwd_time: 'Fwd time (approx.)',
} as const;
export type SummaryColumn = keyof typeof SUMMARY_COLUMNS;
export const ALL_SUMMARY_COLUMNS = Object.keys(SUMMARY_COLUMNS) as SummaryColumn[];
/** torchinfo's default `col_names`: the table is about 90 characters wide. */
export const DEFAULT_COLUMNS: readonly SummaryColumn[] = ['output_size', 'num_params'];
export const isSummaryColumn = (name: string): name is SummaryColumn => Object.hasOwn(SUMMARY_COLUMNS, name);

export interface SummaryFormat {
  /** Columns after the layer's name, printed in torchinfo's order; torchinfo's defaults when absent. */
  columns?: readonly SummaryColumn[];
  /** Width of each column (torchinfo's `col_width`); a value wider than it widens its column. */
  colWidth?: number;
  /** Why the forward times were not measured, when it is not the model's size. */
  untimed?: string;
}

const NAME_HEADER = 'Layer (type (var_name):depth-idx)';
const COL_WIDTH = 25;
const MIN_NAME_WIDTH = 40;

function shapeText(shape: Shape | Shape[]): string {
  const one = (s: Shape) => `[${s.map((d) => (d === null ? 'None' : String(d))).join(', ')}]`;
  if (shape.length === 0) return '--';
  return Array.isArray(shape[0]) ? `[${(shape as Shape[]).map(one).join(', ')}]` : one(shape as Shape);
}

function treePrefix(depth: number): string {
  if (depth === 0) return '';
  if (depth === 1) return '├─';
  return '│    '.repeat(depth - 1) + '└─';
}

function rowCells(row: SummaryRow, maxDepth: number, totalParams: number): Record<SummaryColumn, string> {
  const counts = countCells(row, maxDepth, totalParams);
  return {
    input_size: row.inputShapes.length === 0 ? '--' : row.inputShapes.length === 1 ? shapeText(row.inputShapes[0]) : shapeText(row.inputShapes),
    output_size: shapeText(row.outputShape),
    num_params: counts.params,
    params_percent: counts.percent === null ? '     --' : counts.percent.padStart(7),
    kernel_size: row.kernelShape ? shapeText(row.kernelShape) : '--',
    mult_adds: counts.multAdds,
    trainable: counts.trainable,
    fwd_time: row.forwardMs === undefined ? '--' : formatMs(row.forwardMs),
  };
}

/** Milliseconds with three significant digits or more (`0.0421 ms`, `12.3 ms`, `1234 ms`). */
export function formatMs(ms: number): string {
  return `${ms >= 100 ? ms.toFixed(0) : ms.toPrecision(3)} ms`;
}

function rowName(row: SummaryRow): string {
  return `${treePrefix(row.depth)}${row.type} (${row.name})${row.depthIndex ? `: ${row.depthIndex}` : ''}`;
}

export function formatSummary(summary: ModelSummary, format: SummaryFormat = {}): string {
  const wanted = new Set(format.columns ?? DEFAULT_COLUMNS);
  const columns = ALL_SUMMARY_COLUMNS.filter((c) => wanted.has(c));
  const HEADERS = columns.map((c) => SUMMARY_COLUMNS[c]);
  const colWidth = format.colWidth ?? COL_WIDTH;
  // A summary made for the panel lists rows below its depth: torchinfo's table stops at it.
  const rows = summary.layers.filter((r) => r.depth <= summary.depth);
  const cells = rows.map((r) => { const all = rowCells(r, summary.depth, summary.totals.totalParams); return columns.map((c) => all[c]); });
  const names = rows.map(rowName);
  // torchinfo widens the name column to a multiple of 5; we also widen any column a value overflows.
  const nameWidth = Math.max(MIN_NAME_WIDTH, Math.ceil((Math.max(...names.map((n) => n.length), NAME_HEADER.length) + 1) / 5) * 5);
  const widths = HEADERS.map((h, i) => Math.max(colWidth, h.length + 1, ...cells.map((c) => c[i].length + 1)));
  const line = (name: string, values: string[]) =>
    (name.padEnd(nameWidth) + ' ' + values.map((v, i) => v.padEnd(widths[i])).join(' ')).trimEnd();
  const totalWidth = nameWidth + widths.reduce((a, b) => a + b, 0) + widths.length;
  const divider = '='.repeat(totalWidth);
  const totals = totalsLines(summary.totals).map((l) => `${l.label}${l.unit}: ${l.text}`);
  return [
    divider,
    line(NAME_HEADER, HEADERS),
    divider,
    ...rows.map((_, i) => line(names[i], cells[i])),
    divider,
    // torchinfo's ModelStatistics.__repr__, its numbers by format_output_num.
    ...totals.slice(0, 4),
    divider,
    ...totals.slice(4),
    divider,
    ...(wanted.has('fwd_time') ? [summary.timedSamples
      ? `Fwd time: approximate, each layer applied alone on ${summary.timedSamples} random sample${summary.timedSamples === 1 ? '' : 's'}`
      : `Fwd time: not measured (${format.untimed ?? 'the model is too big to time quickly'})`] : []),
  ].join('\n');
}
