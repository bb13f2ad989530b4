// Later passes over a CSV table: the batches of one split (train through a seeded shuffle buffer,
// test in file order) and the first rows of a split as written, for display.
import { UserError } from '../model/userError';
import { BatchAssembler, ShuffleBuffer } from './batchAssembler';
import type { Batch, SampleDisplay, StreamRequest } from './dataSource';
import { CsvRowEncoder, csvBlocks, type CsvPlan } from './csvPlan';
import { createRandom, deriveSeed } from './seededRandom';

interface KeptRow {
  cells: string[];
  inputs: Float32Array;
  label: number;
}

/**
 * The rows of the requested split that the plan keeps, in file order: `take` sees each (`inputs` is
 * reused: read it before the next row) and returns false to stop. Rows are handled a block at a time
 * without awaiting; the generator pauses between blocks, so the reader stops when the consumer does.
 */
async function* keptRowBlocks(plan: CsvPlan, split: 'train' | 'test', take: (row: KeptRow) => boolean | void): AsyncGenerator<void> {
  const encoder = new CsvRowEncoder(plan);
  const wanted = split === 'test' ? 1 : 0;
  const expected = split === 'test' ? plan.testCount : plan.trainCount;
  const row: KeptRow = { cells: [], inputs: new Float32Array(plan.width), label: 0 };
  let kept = 0;
  if (expected === 0) return;
  for await (const block of csvBlocks(plan.file, plan.delimiter, plan.testSplit, plan.seed)) {
    for (let r = 0; r < block.rows.length; r++) {
      if (block.test[r] !== wanted) continue;
      row.cells = block.rows[r];
      row.label = encoder.label(row.cells, block.rowNumbers[r]);
      if (Number.isNaN(row.label)) continue;
      row.inputs.fill(0);
      if (!encoder.encode(row.cells, block.rowNumbers[r], row.inputs, 0)) continue;
      kept++;
      // The split's rows are all read (or its limit reached): the rest of the file is not needed.
      if (take(row) === false || kept === expected) return;
    }
    yield;
  }
  throw new UserError(`${plan.file} changed while it was read: the ${split} split has ${kept} rows now, ${expected} before`, null,
    'Do not edit the table during training; start the run again.');
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
  const take = (row: KeptRow) => rows.push(indices.map((i) => row.cells[i])) < count;
  if (count > 0) for await (const _ of keptRowBlocks(plan, split, take)) if (rows.length >= count) break;
  return { kind: 'rows', count: rows.length, columns, rows };
}
