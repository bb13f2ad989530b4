// The first pass over a CSV table: checks every cell, counts the rows of each split, finds which
// columns are categorical ('auto'), counts missing cells, and computes the training split's
// statistics (numeric mean and std by Welford's streaming algorithm, categorical vocabularies).
import { detectDelimiter } from './csvDelimiter';
import { UserError } from '../model/userError';
import { abbreviate, type DataTask, type TaskKind } from './dataSource';
import { compareCodePoints, isMissing, parseNumber, sortClassNames } from './csvCells';
import { csvBlocks, featureNames, type CsvFeature, type CsvPlan, type MissingPolicy } from './csvPlan';
import { deriveSeed, randomSubset } from './seededRandom';

export interface CsvScanOptions {
  /** Absolute path. */
  file: string;
  label: string;
  /** Default: every column but the label. */
  features?: readonly string[];
  /** Columns to one-hot encode, or 'auto': the columns with a cell that is not a number. Default: none. */
  categorical?: readonly string[] | 'auto';
  missing?: MissingPolicy;
  testSplit?: number;
  task: TaskKind;
  seed: number;
  limit?: number;
  testLimit?: number;
  delimiter?: string;
  /** Default: as many rows as fit in SHUFFLE_BUFFER_BYTES. */
  shuffleBufferRows?: number;
}

export interface CsvScan {
  plan: CsvPlan;
  notes: string[];
}

/** More values than this in a categorical column (or classes in a label) is a mistake, not a category. */
export const MAX_CATEGORIES = 1000;
const SHUFFLE_BUFFER_BYTES = 32 * 1024 * 1024;
const SHOWN_ROWS = 8;

interface ColumnStats {
  column: string;
  index: number;
  /** Listed as categorical, or found to hold text under 'auto'. */
  categorical: boolean;
  /** Under 'auto': the first cell that is not a number. */
  firstText: { row: number; cell: string } | null;
  n: number;
  mean: number;
  m2: number;
  /** Training values and their counts; null once past MAX_CATEGORIES. */
  vocabulary: Map<string, number> | null;
  missing: number;
}

export async function scanCsv(options: CsvScanOptions): Promise<CsvScan> {
  const { file, task, seed } = options;
  const missingPolicy = options.missing ?? 'drop';
  const testSplit = options.testSplit ?? 0.2;
  const delimiter = options.delimiter ?? await detectDelimiter(file);
  const limit = options.limit ?? Infinity;
  const testLimit = options.testLimit ?? Infinity;
  const auto = options.categorical === 'auto';
  let header: string[] | null = null;
  let columns: ColumnStats[] = [];
  let labelIndex = -1;
  const classes = new Set<string>();
  let trainCount = 0;
  let testCount = 0;
  let rows = 0;
  let rowsWithMissing = 0;
  let labelsMissing = 0;
  const missingRows: number[] = [];

  let plain = true;
  let states = new Uint8Array(0);
  let values = new Float64Array(0);
  for await (const block of csvBlocks(file, delimiter, testSplit, seed)) {
    plain = block.plain;
    if (!header) {
      header = block.header;
      ({ columns, labelIndex } = resolveColumns(file, header, options));
      states = new Uint8Array(columns.length);
      values = new Float64Array(columns.length);
    }
    for (let r = 0; r < block.rows.length; r++) {
      const cells = block.rows[r];
      const rowNumber = block.rowNumbers[r];
      rows++;
      let missingHere = false;
      for (let k = 0; k < columns.length; k++) {
        const c = columns[k];
        const cell = cells[c.index];
        const state = readCell(file, c, cell, rowNumber, auto, values, k);
        states[k] = state;
        if (state === MISSING) {
          c.missing++;
          missingHere = true;
        }
      }
      const labelCell = cells[labelIndex];
      const labelMissing = isMissing(labelCell);
      if (labelMissing) labelsMissing++;
      if (missingHere || labelMissing) {
        rowsWithMissing++;
        if (missingRows.length < SHOWN_ROWS) missingRows.push(rowNumber);
      }
      if (task === 'regression' && !labelMissing && Number.isNaN(parseNumber(labelCell))) {
        throw new UserError(`${file}: row ${rowNumber}, label column '${header[labelIndex]}': ${JSON.stringify(labelCell)} is not a number, ` +
          'and a regression loss needs numbers', null, decimalCommaHint(labelCell) ?? 'Use a cross-entropy loss to read the label as class names, or fix the cell.');
      }
      const dropped = labelMissing || (missingHere && missingPolicy === 'drop');
      const isTest = block.test[r] === 1;
      // Train rows are all counted (and their statistics taken): `limit` picks among them once their number is known.
      const kept = !dropped && (!isTest || testCount < testLimit);
      if (kept && isTest) testCount++;
      else if (kept) trainCount++;
      if (kept && !isTest) for (let k = 0; k < columns.length; k++) addToStatistics(columns[k], cells[columns[k].index], states[k], values[k], auto);
      if (kept && task === 'classification') {
        classes.add(labelCell.trim());
        if (classes.size > MAX_CATEGORIES) {
          throw new UserError(`${file}: the label column '${header[labelIndex]}' has more than ${MAX_CATEGORIES} different values`, null,
            "For a number to predict, set a regression loss: training.loss: 'meanSquaredError' (or 'meanAbsoluteError'); for classes, check the label column.");
        }
      }
    }
  }
  header = header!;
  // A seeded random subset (as images and IDX), not the first rows: a table sorted by class keeps every class.
  const trainPick = trainCount > limit ? randomSubset(trainCount, limit, deriveSeed(seed, 0x11)) : null;
  if (trainPick) trainCount = trainPick.length;

  const missingCells = columns.reduce((a, c) => a + c.missing, 0) + labelsMissing;
  const whereMissing = () => `rows ${abbreviate(missingRows, SHOWN_ROWS)}${rowsWithMissing > missingRows.length ? ', …' : ''}; ` +
    [...columns.filter((c) => c.missing > 0).map((c) => `${c.column || columnName(c)} ${c.missing}`), ...(labelsMissing ? [`${header![labelIndex]} ${labelsMissing}`] : [])].join(', ');
  if (missingCells > 0 && missingPolicy === 'error') {
    throw new UserError(`${file} has ${missingCells} missing cell${missingCells === 1 ? '' : 's'} in ${rowsWithMissing} row${rowsWithMissing === 1 ? '' : 's'} (${whereMissing()})`,
      null, "Set data.missing to 'drop' (leave those rows out) or 'mean' (fill numbers with the training mean, categories with none).");
  }
  if (trainCount === 0) {
    // A column missing in every row leaves none: name it (an unnamed one is a trailing delimiter on every line).
    const empty = rows > 0 ? columns.filter((c) => c.missing === rows) : [];
    if (empty.length > 0 && missingPolicy !== 'mean') {
      const unnamed = empty.some((c) => c.column === '');
      throw new UserError(`${file} has no training rows: ${abbreviate(empty.map(columnName), 4)} ${empty.length === 1 ? 'is' : 'are'} empty in all ${rows} data rows`, null,
        (unnamed ? 'A header and lines that end with the delimiter (a trailing comma) add an unnamed, empty column: remove it, or ' : '') +
        `${unnamed ? 'l' : 'L'}ist the columns to use in data.features (without ${empty.length === 1 ? 'it' : 'them'}).`);
    }
    throw new UserError(`${file} has no training rows (${rows} data rows, ${rows - trainCount - testCount} left out for missing cells` +
      `${rowsWithMissing > 0 ? `: ${whereMissing()}` : ''})`, null,
      'A CSV table needs a header row, then one row per sample; check data.testSplit and data.missing.');
  }

  const notes: string[] = [];
  const unnamed = columns.filter((c) => c.column === '');
  if (unnamed.length) {
    notes.push(`column ${abbreviate(unnamed.map((c) => c.index + 1), 4)} ${unnamed.length === 1 ? 'has' : 'have'} no name in the header (a saved pandas index?): ` +
      'read as a feature; data.features leaves it out');
  }
  if (rowsWithMissing > 0) {
    notes.push(missingPolicy === 'drop'
      ? `left out ${rowsWithMissing} of ${rows} rows with missing cells (${whereMissing()})`
      : `filled ${missingCells - labelsMissing} missing cells with the training mean (numbers) or no category (${whereMissing()})` +
        (labelsMissing ? `; left out ${labelsMissing} rows without a label` : ''));
  }
  const features = columns.map((c) => toFeature(file, c));
  const oneHot = features.filter((f): f is Extract<CsvFeature, { kind: 'categorical' }> => f.kind === 'categorical');
  if (options.delimiter === undefined && delimiter !== ',') notes.push(`cells split at ${delimiter === '\t' ? 'tabs' : `'${delimiter}'`} (found in the file; data.delimiter sets it)`);
  if (oneHot.length) notes.push(`one-hot encoded: ${oneHot.map((f) => `${f.column} (${f.values.length} values)`).join(', ')}`);
  const constant = columns.filter((c) => !c.categorical && c.n > 0 && c.m2 === 0).map((c) => c.column);
  if (constant.length) notes.push(`constant in the training split (they carry nothing): ${constant.join(', ')}`);

  const dataTask: DataTask = task === 'classification'
    ? { kind: 'classification', classNames: sortClassNames(classes) }
    : { kind: 'regression', targetNames: [header[labelIndex]] };
  const names = featureNames(features);
  const plan: CsvPlan = {
    kind: 'csv', file, delimiter, header, features, label: { column: header[labelIndex], index: labelIndex }, task: dataTask,
    missing: missingPolicy, testSplit, seed, trainCount, testCount,
    limit: Number.isFinite(limit) ? limit : null, testLimit: Number.isFinite(testLimit) ? testLimit : null, trainPick,
    width: names.length, featureNames: names,
    shuffleBufferRows: options.shuffleBufferRows ?? Math.max(1024, Math.floor(SHUFFLE_BUFFER_BYTES / (4 * (names.length + 1)))),
    dataRows: rows, plain,
  };
  return { plan, notes };
}

function resolveColumns(file: string, header: string[], options: CsvScanOptions): { columns: ColumnStats[]; labelIndex: number } {
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) throw new UserError(`${file}: the header names column '${name}' twice`, null, 'Give every column its own name in the first row.');
    seen.add(name);
  }
  const shorten = (name: string) => (name.length > 40 ? `${name.slice(0, 40)}…` : name);
  const known = `its columns are ${abbreviate(header.map((h) => `'${shorten(h)}'`), 12)}`;
  const labelIndex = header.indexOf(options.label);
  if (labelIndex < 0) {
    // One column holding a delimiter: the file is split at another one than it was read with.
    const other = header.length === 1 ? [';', '\t', '|', ','].find((d) => header[0].includes(d)) : undefined;
    // Numbers for names: the file starts with a data row.
    const headerless = header.filter((h) => !Number.isNaN(parseNumber(h))).length > header.length / 2;
    throw new UserError(`${file} has no label column '${options.label}': ${known}`, null, other
      ? `The header reads as one column: set data.delimiter to ${other === '\t' ? "'\\t'" : `'${other}'`}.`
      : headerless ? 'Its first row holds numbers, not column names: a CSV table needs a header row first (add one naming the columns).'
        : 'Set data.label to the column to predict.');
  }
  const names = options.features ? [...options.features] : header.filter((_, i) => i !== labelIndex);
  for (const name of names) {
    if (!header.includes(name)) throw new UserError(`data.features names '${name}', which ${file} does not have: ${known}`);
    if (name === options.label) throw new UserError(`data.features lists the label column '${name}'`, null, 'The label is what the model predicts: leave it out of the features.');
  }
  if (names.length === 0) throw new UserError(`${file} has no feature columns besides the label '${options.label}'`);
  const listed = options.categorical === 'auto' ? [] : options.categorical ?? [];
  for (const name of listed) {
    if (!names.includes(name)) throw new UserError(`data.categorical names '${name}', which is not a feature column of ${file}`, null, `The features are ${abbreviate(names, 12)}.`);
  }
  const columns = names.map((column): ColumnStats => ({
    column, index: header.indexOf(column), categorical: listed.includes(column), firstText: null,
    n: 0, mean: 0, m2: 0, vocabulary: new Map(), missing: 0,
  }));
  return { columns, labelIndex };
}

/** For a number written with a decimal comma ("0,3456", as European spreadsheets save with ';' between cells), what to do. */
function decimalCommaHint(cell: string): string | null {
  if (!/^\s*[+-]?\d+,\d+\s*$/.test(cell)) return null;
  return `${JSON.stringify(cell.trim())} has a decimal comma; numbers are read with a decimal point: save the table with '.' as the decimal ` +
    "separator (in pandas: pd.read_csv(file, sep=';', decimal=',').to_csv(new_file, index=False)).";
}

/** A column as messages name it: its header name, or its place when the header leaves it unnamed. */
function columnName(c: ColumnStats): string {
  return c.column === '' ? `the unnamed column ${c.index + 1}` : `'${c.column}'`;
}

const NUMBER = 0;
const TEXT = 1;
const MISSING = 2;

/** Checks one cell: a number (into `values[k]`), text (for a categorical column) or missing. */
function readCell(file: string, c: ColumnStats, cell: string, rowNumber: number, auto: boolean, values: Float64Array, k: number): number {
  if (c.categorical && !auto) return isMissing(cell) ? MISSING : TEXT;
  const value = parseNumber(cell);
  if (!Number.isNaN(value)) {
    values[k] = value;
    return NUMBER;
  }
  if (isMissing(cell)) return MISSING;
  if (!auto) {
    throw new UserError(`${file}: row ${rowNumber}, column '${c.column}': ${JSON.stringify(cell)} is not a number`, null,
      decimalCommaHint(cell) ?? `List '${c.column}' in data.categorical (or set categorical: 'auto') to one-hot encode it, or fix the cell.`);
  }
  c.categorical = true;
  c.firstText ??= { row: rowNumber, cell };
  return TEXT;
}

/** A training cell: Welford's running mean and squared deviations for numbers; the vocabulary for categories. */
function addToStatistics(c: ColumnStats, cell: string, state: number, value: number, auto: boolean): void {
  if (state === MISSING) return;
  if (state === NUMBER) {
    c.n++;
    const delta = value - c.mean;
    c.mean += delta / c.n;
    c.m2 += delta * (value - c.mean);
  }
  // Under 'auto' numbers too: the column may turn out to hold text further down.
  if (state === TEXT || auto) addCategory(c, cell.trim());
}

function addCategory(c: ColumnStats, value: string): void {
  if (!c.vocabulary) return;
  c.vocabulary.set(value, (c.vocabulary.get(value) ?? 0) + 1);
  if (c.vocabulary.size > MAX_CATEGORIES) c.vocabulary = null;
}

function toFeature(file: string, c: ColumnStats): CsvFeature {
  if (!c.categorical) {
    const std = c.n > 0 ? Math.sqrt(c.m2 / c.n) : 0;
    // As scikit-learn's StandardScaler: a constant column is centred, not divided by 0.
    return { kind: 'numeric', column: c.column, index: c.index, mean: c.n > 0 ? c.mean : 0, std: std > 0 ? std : 1 };
  }
  if (!c.vocabulary) {
    throw new UserError(`${file}: column '${c.column}' has more than ${MAX_CATEGORIES} different values to one-hot encode` +
      (c.firstText ? ` (it holds text such as ${JSON.stringify(c.firstText.cell)} in row ${c.firstText.row})` : ''), null,
      (c.firstText && decimalCommaHint(c.firstText.cell)) ?? 'Leave it out of data.features, or fix the cells that are not numbers.');
  }
  return { kind: 'categorical', column: c.column, index: c.index, values: [...c.vocabulary.keys()].sort(compareCodePoints) };
}
