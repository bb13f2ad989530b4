// Later passes over a plain CSV (no quotes, \n or \r\n lines, a one-byte delimiter: the first pass
// says which) read from its bytes: lines and cells are found by byte, and a decimal number is read
// straight from them, so a row of numbers makes no strings. Any other cell is decoded and read as
// the text parser's would be (csvCells.ts), so both paths mean the same.
import * as fs from 'node:fs';
import { UserError } from '../model/userError';
import { parseNumber } from './csvCells';
import type { CsvCells, CsvPlan } from './csvPlan';
import { SPLIT_BLOCK, testMembers } from './datasetSplit';

const CHUNK_BYTES = 1 << 20;
const LF = 10;
const CR = 13;
/** 10^0 … 10^22: every one exact in a double. */
const POWERS_OF_TEN = Float64Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * The decimal number in bytes [start, end) when it reads exactly with one IEEE operation (at most 15
 * digits, a power of ten up to 1e22: Clinger's fast path, the same double as Number(text)), else NaN
 * (the caller then reads the text).
 */
export function decimalAt(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end && (bytes[i] === 45 || bytes[i] === 43)) negative = bytes[i++] === 45;
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  for (; i < end && bytes[i] >= 48 && bytes[i] <= 57; i++, digits++) mantissa = mantissa * 10 + (bytes[i] - 48);
  if (i < end && bytes[i] === 46) {
    for (i++; i < end && bytes[i] >= 48 && bytes[i] <= 57; i++, digits++, fraction++) mantissa = mantissa * 10 + (bytes[i] - 48);
  }
  if (digits === 0 || digits > 15) return NaN;
  let exponent = 0;
  if (i < end && (bytes[i] | 0x20) === 101) {
    i++;
    let negativeExponent = false;
    if (i < end && (bytes[i] === 45 || bytes[i] === 43)) negativeExponent = bytes[i++] === 45;
    const from = i;
    for (; i < end && bytes[i] >= 48 && bytes[i] <= 57 && i - from < 4; i++) exponent = exponent * 10 + (bytes[i] - 48);
    if (i === from) return NaN;
    if (negativeExponent) exponent = -exponent;
  }
  if (i !== end) return NaN;
  const power = exponent - fraction;
  if (power < -22 || power > 22) return NaN;
  const value = power < 0 ? mantissa / POWERS_OF_TEN[-power] : mantissa * POWERS_OF_TEN[power];
  return negative ? -value : value;
}

/** One line's cells, as byte ranges of the chunk that holds it. */
class ByteCells implements CsvCells {
  bytes: Buffer = Buffer.alloc(0);
  readonly starts: Int32Array;
  readonly ends: Int32Array;

  constructor(columns: number) {
    this.starts = new Int32Array(columns);
    this.ends = new Int32Array(columns);
  }

  text(column: number): string {
    return this.bytes.toString('utf8', this.starts[column], this.ends[column]);
  }

  number(column: number): number {
    const value = decimalAt(this.bytes, this.starts[column], this.ends[column]);
    return Number.isNaN(value) ? parseNumber(this.text(column)) : value;
  }
}

/**
 * Calls `visit` with each data row of a plain CSV (its cells, spreadsheet row number and whether it
 * is a test row) until it returns false; pauses after each chunk of the file, so reading stops when
 * the consumer does.
 */
export async function* plainCsvRows(plan: CsvPlan, visit: (cells: CsvCells, rowNumber: number, test: boolean) => boolean): AsyncGenerator<void> {
  const columns = plan.header.length;
  const delimiter = plan.delimiter.charCodeAt(0);
  const cells = new ByteCells(columns);
  let lineNumber = 0;
  let seenHeader = false;
  let dataRow = 0;
  let members: Uint8Array = new Uint8Array(0);

  /** One line, bytes [start, end) without its break; false to stop. */
  const line = (bytes: Buffer, start: number, end: number): boolean => {
    lineNumber++;
    if (end > start && bytes[end - 1] === CR) end--;
    let count = 0;
    let from = start;
    for (let i = start; i <= end; i++) {
      if (i < end && bytes[i] !== delimiter) continue;
      if (count < columns) {
        cells.starts[count] = from;
        cells.ends[count] = i;
      }
      count++;
      from = i + 1;
    }
    if (count === 1 && bytes.toString('utf8', start, end).trim() === '') return true; // blank: counted, skipped
    if (!seenHeader) {
      seenHeader = true;
      return true;
    }
    if (count !== columns) {
      throw new UserError(`${plan.file}: row ${lineNumber} has ${count} cells but the header has ${columns} columns`, null,
        'Every row needs one cell per column (an empty cell between two delimiters counts as missing); a cell with a delimiter in it must be quoted.');
    }
    const inBlock = dataRow % SPLIT_BLOCK;
    if (inBlock === 0) {
      const length = Math.min(SPLIT_BLOCK, plan.dataRows - dataRow);
      if (length <= 0) throw changed(plan, `it has more than the ${plan.dataRows} data rows it had`);
      members = testMembers(dataRow / SPLIT_BLOCK, length, plan.testSplit, plan.seed) as Uint8Array;
    }
    dataRow++;
    cells.bytes = bytes;
    return visit(cells, lineNumber, members[inBlock] === 1);
  };

  const stream = fs.createReadStream(plan.file, { highWaterMark: CHUNK_BYTES });
  try {
    let carry: Buffer | null = null;
    let first = true;
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      let start = 0;
      if (carry) {
        // The line the last chunk ended in: only it is copied, not the whole chunk.
        const at = bytes.indexOf(LF);
        if (at < 0) {
          carry = Buffer.concat([carry, bytes]);
          continue;
        }
        const joined = Buffer.concat([carry, bytes.subarray(0, at)]);
        carry = null;
        if (!line(joined, 0, joined.length)) return;
        start = at + 1;
      } else if (first) {
        // A carry never starts the file: the first chunk's byte order mark is skipped here.
        first = false;
        start = bomLength(bytes);
      }
      for (let at = bytes.indexOf(LF, start); at >= 0; at = bytes.indexOf(LF, start)) {
        if (!line(bytes, start, at)) return;
        start = at + 1;
      }
      carry = start < bytes.length ? bytes.subarray(start) : null;
      yield;
    }
    if (carry && !line(carry, 0, carry.length)) return;
  } finally {
    stream.destroy();
  }
}

/** The UTF-8 byte order mark's length at the start of `bytes` (3), or 0. */
const bomLength = (bytes: Buffer): number => (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0);

function changed(plan: CsvPlan, what: string): UserError {
  return new UserError(`${plan.file} changed while it was read: ${what}`, null, 'Do not edit the table during training; start the run again.');
}
