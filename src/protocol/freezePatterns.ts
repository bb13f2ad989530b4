// The entries of an experiment's `freeze` list. tfjs refuses a layer name that does not match
// LAYER_NAME (tfjs-layers' isValidTensorName), so `#` starts an index range that no name can collide
// with; names and globs use only name characters plus `*` and `?`.

/** tfjs-layers' valid tensor (and so layer) name. */
export const LAYER_NAME = /^[A-Za-z0-9][-A-Za-z0-9._/]*$/;

export type FreezePattern =
  /** Top-level layers `from` to `to` (inclusive); `legacy` for the older `'0-3'` form. */
  | { kind: 'range'; from: number; to: number; legacy: boolean }
  /** A layer name, a glob over names (`conv*`) or a layer type (`Conv2D`). */
  | { kind: 'name'; pattern: string };

/** What a `freeze` entry means, or an explanation of why it can match nothing. */
export function parseFreezePattern(entry: string): FreezePattern | { kind: 'invalid'; why: string } {
  const range = /^(#?)(\d+)(?:-(\d+))?$/.exec(entry);
  if (range) {
    const from = Number(range[2]);
    const to = Number(range[3] ?? range[2]);
    if (to < from) return { kind: 'invalid', why: `the range ${entry} ends before it starts; write '#${to}-${from}'` };
    return { kind: 'range', from, to, legacy: range[1] === '' };
  }
  if (entry.startsWith('#')) return { kind: 'invalid', why: `${JSON.stringify(entry)} is not an index range; write '#2' or '#0-3'` };
  if (!/^[A-Za-z0-9*?][-A-Za-z0-9._/*?]*$/.test(entry)) {
    return {
      kind: 'invalid',
      why: `${JSON.stringify(entry)} can match no layer: names hold letters, digits and - . _ / (patterns add * and ?)`,
    };
  }
  return { kind: 'name', pattern: entry };
}
