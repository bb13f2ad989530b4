// What a CSV cell means: missing (pandas' default NA strings), a number (decimal notation only), or text.

/** pandas.read_csv's default na_values, so a table means the same here as in a notebook. */
const MISSING = new Set([
  '', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA',
  'NULL', 'NaN', 'None', 'n/a', 'nan', 'null',
]);

export function isMissing(cell: string): boolean {
  return MISSING.has(cell) || MISSING.has(cell.trim());
}

const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** The cell's value, or NaN if it is not a finite decimal number (hex, '1,5', 'Infinity' are not). */
export function parseNumber(cell: string): number {
  const value = Number(cell);
  if (!Number.isFinite(value)) return NaN;
  // Number() also reads '0x1f', '0b1', '0o7', '' and ' ': only decimal notation counts.
  const c0 = cell.charCodeAt(0);
  if (c0 === 48 && cell.length > 2) {
    const c1 = cell.charCodeAt(1) | 0x20;
    if (c1 === 120 || c1 === 98 || c1 === 111) return NaN;
  }
  if (value === 0 || c0 <= 32) return DECIMAL.test(cell) ? value : NaN;
  return value;
}

/** Categories and class names compare as Python's sorted() does: by code point. */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** Class names from a label column: by value when every one is a number ('2' before '10'), else by code point. */
export function sortClassNames(values: Iterable<string>): string[] {
  const names = [...values];
  if (names.every((v) => !Number.isNaN(parseNumber(v)))) {
    return names.sort((a, b) => parseNumber(a) - parseNumber(b) || compareCodePoints(a, b));
  }
  return names.sort(compareCodePoints);
}
