// Later passes over a CSV table: the batches of one split (train through a seeded shuffle buffer,
// test in file order) and the first rows of a split as written, for display.
import { UserError } from '../model/userError';
import { BatchAssembler, ShuffleBuffer } from './batchAssembler';
import type { Batch, SampleDisplay, StreamRequest } from './dataSource';
import { plainCsvRows } from './csvBytes';
import { CsvRowEncoder, csvBlocks, TextCells, type CsvCells, type CsvPlan } from './csvPlan';
import { createRandom, deriveSeed } from './seededRandom';

interface KeptRow {
  cells: CsvCells;
  inputs: Float32Array;
  label: number;
}

/**
 * The rows of the requested split that the plan keeps, in file order: `take` sees each (`inputs` and
 * `cells` are reused: read them before the next row) and returns false to stop. Rows are handled a
 * block at a time without awaiting; the generator pauses between blocks, so the reader stops when the
 * consumer does. A plain file is read from its bytes (csvBytes.ts), any other through the text parser.
 */
async function* keptRowBlocks(plan: CsvPlan, split: 'train' | 'test', take: (row: KeptRow) => boolean | void): AsyncGenerator<void> {
  const encoder = new CsvRowEncoder(plan);
  const expected = split === 'test' ? plan.testCount : plan.trainCount;
  const row: KeptRow = { cells: new TextCells(), inputs: new Float32Array(plan.width), label: 0 };
  const pick = split === 'train' ? plan.trainPick : null;
  let kept = 0;
  let candidates = 0;
  let stopped = false;
  if (expected === 0) return;
  const visit = (cells: CsvCells, rowNumber: number, test: boolean): boolean => {
    if (test !== (split === 'test')) return true;
    const label = encoder.label(cells, rowNumber);
    if (Number.isNaN(label)) return true;
    row.inputs.fill(0);
    if (!encoder.encode(cells, rowNumber, row.inputs, 0)) return true;
    // Under a limit, a row the split keeps is one of the subset's only when it is the next one picked.
    if (pick && pick[kept] !== candidates++) return true;
    kept++;
    row.cells = cells;
    row.label = label;
    // The split's rows are all read (or its limit reached): the rest of the file is not needed.
    stopped = take(row) === false || kept === expected;
    return !stopped;
  };
  for await (const _ of plan.plain ? plainCsvRows(plan, visit) : textCsvRows(plan, visit)) {
    if (stopped) return;
    yield;
  }
  if (stopped) return;
  throw new UserError(`${plan.file} changed while it was read: the ${split} split has ${kept} rows now, ${expected} before`, null,
    'Do not edit the table during training; start the run again.');
}

/** plainCsvRows through the text parser: a block of parsed rows at a time. */
async function* textCsvRows(plan: CsvPlan, visit: (cells: CsvCells, rowNumber: number, test: boolean) => boolean): AsyncGenerator<void> {
  const cells = new TextCells();
  for await (const block of csvBlocks(plan.file, plan.delimiter, plan.testSplit, plan.seed)) {
    for (let r = 0; r < block.rows.length; r++) {
      cells.cells = block.rows[r];
      if (!visit(cells, block.rowNumbers[r], block.test[r] === 1)) return;
    }
    yield;
  }
}

/** Batches of one split: train through a seeded shuffle buffer, test in file order. */
export async function* csvBatches(plan: CsvPlan, request: StreamRequest): AsyncGenerator<Batch> {
  const out = new BatchAssembler(plan.task.kind, plan.width, request.batchSize);
  const ready: Batch[] = [];
  const buffer = request.split === 'train'
    ? new ShuffleBuffer(Math.min(plan.shuffleBufferRows, plan.trainCount), plan.width, createRandom(deriveSeed(plan.seed, 0x5f1e, request.epoch)))
    : null;
  const take = (row: KeptRow) => {
    const batch = buffer ? buffer.push(row.inputs, row.label, out) : out.add(row.inputs, 0, row.label);
    if (batch) ready.push(batch);
  };
  for await (const _ of keptRowBlocks(plan, request.split, take)) while (ready.length > 0) yield ready.shift()!;
  while (ready.length > 0) yield ready.shift()!;
  if (buffer) yield* buffer.drain(out);
  const last = out.flush();
  if (last) yield last;
}

/** The first `count` rows of a split as the file has them: the feature columns, then the label. */
export async function csvSamples(plan: CsvPlan, count: number, split: 'train' | 'test'): Promise<SampleDisplay> {
  const columns = [...plan.features.map((f) => f.column), plan.label.column];
  const indices = [...plan.features.map((f) => f.index), plan.label.index];
  const rows: string[][] = [];
  const take = (row: KeptRow) => rows.push(indices.map((i) => row.cells.text(i))) < count;
  if (count > 0) for await (const _ of keptRowBlocks(plan, split, take)) if (rows.length >= count) break;
  return { kind: 'rows', count: rows.length, columns, rows };
}
