// Later passes over a CSV table: the batches of one split (train through a seeded shuffle buffer,
// test in file order) and the first test rows as written, for display.
import { UserError } from '../model/userError';
import { BatchAssembler, ShuffleBuffer } from './batchAssembler';
import type { Batch, SampleDisplay, StreamRequest } from './dataSource';
import { CsvRowEncoder, csvBlocks, type CsvPlan } from './csvPlan';
import { createRandom, deriveSeed } from './seededRandom';

/** Rows of the requested split that the plan keeps, in file order, with their encoding. */
async function* keptRows(plan: CsvPlan, split: 'train' | 'test'): AsyncGenerator<{ cells: string[]; inputs: Float32Array; label: number }> {
  const encoder = new CsvRowEncoder(plan);
  const wanted = split === 'test' ? 1 : 0;
  const expected = split === 'test' ? plan.testCount : plan.trainCount;
  const inputs = new Float32Array(plan.width);
  let kept = 0;
  if (expected === 0) return;
  for await (const block of csvBlocks(plan.file, plan.delimiter, plan.testSplit, plan.seed)) {
    for (let r = 0; r < block.rows.length; r++) {
      if (block.test[r] !== wanted) continue;
      const cells = block.rows[r];
      const label = encoder.label(cells, block.rowNumbers[r]);
      if (Number.isNaN(label)) continue;
      inputs.fill(0);
      if (!encoder.encode(cells, block.rowNumbers[r], inputs, 0)) continue;
      yield { cells, inputs, label };
      // The split's rows are all read (or its limit reached): the rest of the file is not needed.
      if (++kept === expected) return;
    }
  }
  throw new UserError(`${plan.file} changed while it was read: the ${split} split has ${kept} rows now, ${expected} before`, null,
    'Do not edit the table during training; start the run again.');
}

export async function* csvBatches(plan: CsvPlan, request: StreamRequest): AsyncGenerator<Batch> {
  const out = new BatchAssembler(plan.task.kind, plan.width, request.batchSize);
  if (request.split === 'test') {
    for await (const row of keptRows(plan, 'test')) {
      const batch = out.add(row.inputs, 0, row.label);
      if (batch) yield batch;
    }
  } else {
    const random = createRandom(deriveSeed(plan.seed, 0x5f1e, request.epoch));
    const buffer = new ShuffleBuffer(Math.min(plan.shuffleBufferRows, plan.trainCount), plan.width, random);
    for await (const row of keptRows(plan, 'train')) {
      const batch = buffer.push(row.inputs, row.label, out);
      if (batch) yield batch;
    }
    yield* buffer.drain(out);
  }
  const last = out.flush();
  if (last) yield last;
}

/** The first `count` test rows as the file has them: the feature columns, then the label. */
export async function csvSamples(plan: CsvPlan, count: number): Promise<SampleDisplay> {
  const columns = [...plan.features.map((f) => f.column), plan.label.column];
  const indices = [...plan.features.map((f) => f.index), plan.label.index];
  const rows: string[][] = [];
  if (count > 0) {
    for await (const row of keptRows(plan, 'test')) {
      rows.push(indices.map((i) => row.cells[i]));
      if (rows.length >= count) break;
    }
  }
  return { kind: 'rows', count: rows.length, columns, rows };
}
