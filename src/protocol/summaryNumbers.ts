// The summary's numbers as torchinfo prints them (formatting.py, model_statistics.py): a row's Param #,
// Param %, Mult-Adds and Trainable cells and the totals, shared by the CLI's table
// (src/model/formatSummary.ts) and the panel's (webview/views/summaryView.ts).
import type { SummaryRow } from './modelInfo';

/** 1234567 → "1,234,567"; a fraction keeps its digits ("1,234.50"). */
export function withCommas(text: string): string {
  const [whole, fraction] = text.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = sign ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return sign + grouped + (fraction === undefined ? '' : `.${fraction}`);
}

/** `x.toFixed(digits)` as Python formats it (f"{x:.2f}"): JS and Python both round the exact binary value, but on an exact tie JS rounds away from zero and Python to even (0.125 → "0.12"). */
export function fixed(x: number, digits: number): string {
  const rounded = x.toFixed(digits);
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return rounded;
  // toFixed(100) is the exact value to 100 places: a tie's digits stop at the first dropped one, a 5.
  const exact = Math.abs(x).toFixed(100);
  const cut = exact.indexOf('.') + 1 + digits;
  if (!/^50*$/.test(exact.slice(cut))) return rounded;
  const kept = exact.slice(0, cut).replace(/\.$/, '');
  if (Number(kept[kept.length - 1]) % 2 === 1) return rounded;
  return (x < 0 ? '-' : '') + kept;
}

export type CountUnits = 'auto' | 'none' | 'MB';

const FACTORS = [['T', 1e12], ['G', 1e9], ['M', 1e6], ['K', 1e3]] as const;

/**
 * torchinfo's `ModelStatistics.format_output_num`: `num` in `units` (auto: T, G, M or K, the largest
 * it reaches, else none), printed as an integer with thousands separators when the converted number
 * is whole, else with two decimals. Returns the unit as printed after the label (" (M)", " (MB)", or
 * "") and the number.
 */
export function formatOutputNum(num: number, units: CountUnits, bytes: boolean): { unit: string; text: string } {
  let unit = '';
  let converted = num;
  if (units === 'MB') [unit, converted] = ['M', num / 1e6];
  else if (units === 'auto') {
    const found = FACTORS.find(([, size]) => num >= size);
    if (found) [unit, converted] = [found[0], num / found[1]];
  }
  const text = Number.isInteger(converted) ? withCommas(converted.toFixed(0)) : withCommas(fixed(converted, 2));
  return { unit: unit ? ` (${unit}${bytes ? 'B' : ''})` : '', text };
}

/** torchinfo's summary totals, label (with its unit) and value, in its order. */
export function totalsLines(t: {
  totalParams: number; trainableParams: number; nonTrainableParams: number; multAdds: number;
  inputBytes: number; forwardBackwardBytes: number; paramBytes: number; totalBytes: number;
}): { label: string; unit: string; text: string }[] {
  const line = (label: string, num: number, units: CountUnits, bytes: boolean) => ({ label, ...formatOutputNum(num, units, bytes) });
  return [
    // params_count_units defaults to none; macs_units to auto; params_size_units to MB.
    line('Total params', t.totalParams, 'none', false),
    line('Trainable params', t.trainableParams, 'none', false),
    line('Non-trainable params', t.nonTrainableParams, 'none', false),
    line('Total mult-adds', t.multAdds, 'auto', false),
    line('Input size', t.inputBytes, 'MB', true),
    line('Forward/backward pass size', t.forwardBackwardBytes, 'MB', true),
    line('Params size', t.paramBytes, 'MB', true),
    line('Estimated Total Size', t.totalBytes, 'MB', true),
  ];
}

/**
 * A row's count cells: an expanded container shows its own params (never any, in Keras), one at
 * `maxDepth` all inside it; torchinfo's num_params_to_str / params_percent print "(recursive)" for a
 * module already counted (in Param # when it has params, in Param % whenever the model has any).
 * `percent` is null where torchinfo prints "--".
 */
export function countCells(row: SummaryRow, maxDepth: number, totalParams: number): { params: string; percent: string | null; multAdds: string; trainable: string } {
  const collapsed = !row.isContainer || row.depth === maxDepth;
  const params = collapsed ? row.params : 0;
  const count = (n: number) => withCommas(Math.round(n).toFixed(0));
  return {
    params: row.params > 0 && row.recursive ? '(recursive)' : params === 0 ? '--' : row.trainableParams > 0 ? count(params) : `(${count(params)})`,
    percent: totalParams > 0 && row.recursive ? '(recursive)' : params === 0 ? null : `${fixed(row.paramPercent, 2)}%`,
    multAdds: collapsed && row.multAdds > 0 ? count(row.multAdds) : '--',
    trainable: row.params === 0 ? '--' : row.trainable === 'partial' ? 'Partial' : row.trainable ? 'True' : 'False',
  };
}
