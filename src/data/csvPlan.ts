// What the first pass over a CSV learnt (columns, their encodings and training statistics, counts),
// as plain data a worker can receive, and the row encoder that every later pass shares.
import type { DataTask } from './dataSource';
import { isBlankRow, readCsvRows } from './csvReader';
import { isMissing, parseNumber } from './csvCells';
import { SPLIT_BLOCK, testMembers } from './datasetSplit';
import { UserError } from '../model/userError';

export type MissingPolicy = 'drop' | 'error' | 'mean';

export type CsvFeature =
  /** Standardised as (x - mean) / std with the training split's mean and population std. */
  | { kind: 'numeric'; column: string; index: number; mean: number; std: number }
  /** One-hot over the training split's values, sorted; a value not among them encodes as all zeros. */
  | { kind: 'categorical'; column: string; index: number; values: string[] };

export interface CsvPlan {
  kind: 'csv';
  file: string;
  delimiter: string;
  header: string[];
  features: CsvFeature[];
  label: { column: string; index: number };
  task: DataTask;
  missing: MissingPolicy;
  testSplit: number;
  seed: number;
  /** Rows kept per split, after missing cells and limits. */
  trainCount: number;
  testCount: number;
  /** `limit` keeps a seeded random subset of the training rows, `testLimit` the first test rows (file order). */
  limit: number | null;
  testLimit: number | null;
  /**
   * Under `limit`: the training rows kept, as increasing ordinals among the rows the split would
   * keep without it (chosen once their number was counted); null keeps them all.
   */
  trainPick: Uint32Array | null;
  /** Encoded values per row. */
  width: number;
  featureNames: string[];
  /** Rows the train stream mixes at a time (tf.data's shuffle buffer). */
  shuffleBufferRows: number;
  /** Data rows (not blank, after the header), kept or not: the split's last block is this long. */
  dataRows: number;
  /**
   * No quote in the file, lines ending in \n or \r\n (mixed or not) and a one-byte delimiter: later passes may
   * split its bytes themselves (csvBytes.ts) instead of parsing cells into strings.
   */
  plain: boolean;
}

/** Data rows of a block with their split: `test[i]` is 1 for a test row. */
export interface CsvBlock {
  header: string[];
  rows: string[][];
  /** Spreadsheet row numbers (the header is row 1). */
  rowNumbers: number[];
  test: Uint8Array;
  /** Whether the file read so far is plain (see CsvPlan.plain). */
  plain: boolean;
}

/** A row's cells as the encoder reads them: as text, or as a number (NaN: not a decimal number). */
export interface CsvCells {
  text(column: number): string;
  number(column: number): number;
}

/** Cells parsed into strings. */
export class TextCells implements CsvCells {
  cells: string[] = [];
  text(column: number): string {
    return this.cells[column];
  }
  number(column: number): number {
    return parseNumber(this.cells[column]);
  }
}

/**
 * The data rows of a CSV in blocks of SPLIT_BLOCK, each row with its split. The first block comes
 * even for a file with only a header (with no rows), so the header is always seen.
 */
export async function* csvBlocks(file: string, delimiter: string, testSplit: number, seed: number): AsyncGenerator<CsvBlock> {
  let header: string[] | null = null;
  let rows: string[][] = [];
  let rowNumbers: number[] = [];
  let block = 0;
  let plain = delimiter.length === 1 && delimiter.charCodeAt(0) < 128 && delimiter !== '\r' && delimiter !== '\n';
  const flush = (): CsvBlock => {
    const out = { header: header!, rows, rowNumbers, test: testMembers(block++, rows.length, testSplit, seed), plain };
    rows = [];
    rowNumbers = [];
    return out;
  };
  for await (const chunk of readCsvRows(file, { delimiter })) {
    plain &&= !chunk.quoted && !chunk.loneCr;
    for (let i = 0; i < chunk.rows.length; i++) {
      const row = chunk.rows[i];
      if (isBlankRow(row)) continue;
      if (!header) {
        header = row.map((name) => name.trim());
        continue;
      }
      if (row.length !== header.length) {
        throw new UserError(`${file}: row ${chunk.firstRowNumber + i} has ${row.length} cells but the header has ${header.length} columns`, null,
          'Every row needs one cell per column (an empty cell between two delimiters counts as missing); a cell with a delimiter in it must be quoted.');
      }
      rows.push(row);
      rowNumbers.push(chunk.firstRowNumber + i);
      if (rows.length === SPLIT_BLOCK) yield flush();
    }
  }
  if (!header) throw new UserError(`${file} is empty`, null, 'A CSV table needs a header row with the column names, then one row per sample.');
  if (rows.length > 0 || block === 0) yield flush();
}

/** Encodes a row's cells as the model's inputs and its label, as the plan says. */
export class CsvRowEncoder {
  private readonly vocabularies: (Map<string, number> | null)[];
  private readonly offsets: number[];
  private readonly classIndex: Map<string, number> | null;

  constructor(private readonly plan: CsvPlan) {
    let offset = 0;
    this.offsets = plan.features.map((f) => {
      const at = offset;
      offset += f.kind === 'numeric' ? 1 : f.values.length;
      return at;
    });
    this.vocabularies = plan.features.map((f) => (f.kind === 'categorical' ? new Map(f.values.map((v, i) => [v, i])) : null));
    this.classIndex = plan.task.kind === 'classification' ? new Map(plan.task.classNames.map((c, i) => [c, i])) : null;
  }

  /**
   * Writes the row's `plan.width` inputs at `offset` (a zeroed slot). Returns false when the row is
   * left out (a missing cell under `drop`, a missing label); the slot may then hold some values.
   */
  encode(cells: CsvCells, rowNumber: number, inputs: Float32Array, offset: number): boolean {
    const features = this.plan.features;
    for (let f = 0; f < features.length; f++) {
      const feature = features[f];
      if (feature.kind === 'numeric') {
        const value = cells.number(feature.index);
        if (Number.isNaN(value)) {
          this.checkMissing(cells.text(feature.index), rowNumber, feature.column);
          if (this.plan.missing !== 'mean') return false;
          continue; // the mean, standardised: 0
        }
        inputs[offset + this.offsets[f]] = (value - feature.mean) / feature.std;
      } else {
        const cell = cells.text(feature.index);
        const at = this.vocabularies[f]!.get(cell.trim());
        if (at !== undefined) inputs[offset + this.offsets[f] + at] = 1;
        else if (this.plan.missing === 'drop' && isMissing(cell)) return false;
      }
    }
    return true;
  }

  /** The class index (classification) or the target (regression); NaN for a missing label. */
  label(cells: CsvCells, rowNumber: number): number {
    const index = this.plan.label.index;
    if (this.classIndex) {
      const cell = cells.text(index);
      const at = this.classIndex.get(cell.trim());
      if (at !== undefined) return at;
      this.checkMissing(cell, rowNumber, this.plan.label.column);
      return NaN;
    }
    const value = cells.number(index);
    if (Number.isNaN(value)) this.checkMissing(cells.text(index), rowNumber, this.plan.label.column);
    return value;
  }

  /** The first pass checked every cell: anything else now means the file changed under us. */
  private checkMissing(cell: string, rowNumber: number, column: string): void {
    if (!isMissing(cell)) {
      throw new UserError(`${this.plan.file} changed while it was read: row ${rowNumber}, column '${column}' now holds ${JSON.stringify(cell)}`,
        null, 'Do not edit the table during training; start the run again.');
    }
  }
}

export function featureNames(features: readonly CsvFeature[]): string[] {
  return features.flatMap((f) => (f.kind === 'numeric' ? [f.column] : f.values.map((v) => `${f.column}=${v}`)));
}
