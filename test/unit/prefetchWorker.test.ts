import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { collectBatches, type Batch } from '../../src/data/dataSource';
import { openCsvSource } from '../../src/data/csvSource';
import { UserError } from '../../src/model/userError';
import { tmpDir } from './idxTestFiles';

const WORKER = path.resolve(__dirname, '../../../dist/dataWorker.js');

function table(rows: number): string {
  const file = path.join(tmpDir('prefetch'), 'table.csv');
  const lines = Array.from({ length: rows }, (_, i) => `${i},${(i * 7919) % 1000 / 10},${['a', 'b', 'c'][i % 3]},${i % 4}`);
  fs.writeFileSync(file, ['n,x,kind,y', ...lines].join('\n'));
  return file;
}

const open = (file: string, prefetch: 'worker' | 'inline') =>
  openCsvSource({ dataset: 'csv', file, label: 'y', categorical: ['kind'] }, { baseDir: '/', seed: 4, task: 'classification' },
    { prefetch, workerScript: WORKER, shuffleBufferRows: 200 });

const plain = (batches: Batch[]) => batches.map((b) => ({ count: b.count, inputs: [...b.inputs], y: [...(b.kind === 'classification' ? b.labels : b.targets)] }));

describe('prefetch worker: batches read ahead on another thread', () => {
  it('gives exactly the batches read on this thread, for train epochs and the test split', async () => {
    assert.ok(fs.existsSync(WORKER), 'the build makes dist/dataWorker.js');
    const file = table(3000);
    const inline = await open(file, 'inline');
    const worker = await open(file, 'worker');
    try {
      for (const epoch of [1, 2]) {
        assert.deepEqual(plain(await collectBatches(worker.trainBatches(epoch, 64))), plain(await collectBatches(inline.trainBatches(epoch, 64))), `epoch ${epoch}`);
      }
      assert.deepEqual(plain(await collectBatches(worker.testBatches(500))), plain(await collectBatches(inline.testBatches(500))));
    } finally {
      await worker.close();
    }
  });

  it('stops reading when the trainer leaves an epoch early (Stop), and streams again after', async () => {
    const file = table(3000);
    const source = await open(file, 'worker');
    try {
      let taken = 0;
      for await (const batch of source.trainBatches(1, 10)) {
        assert.equal(batch.count, 10);
        if (++taken === 3) break;
      }
      const all = await collectBatches(source.trainBatches(1, 10));
      assert.equal(all.reduce((n, b) => n + b.count, 0), source.trainCount);
    } finally {
      await source.close();
    }
  });

  it('reports the user\'s data errors from the worker as the same UserError', async () => {
    const file = table(100);
    const source = await open(file, 'worker');
    try {
      // Row 51 loses a cell after the first pass.
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      lines[50] = '1,2,a';
      fs.writeFileSync(file, lines.join('\n'));
      await assert.rejects(collectBatches(source.testBatches(1000)).then(() => collectBatches(source.trainBatches(1, 10))), (e: unknown) => {
        assert.ok(e instanceof UserError, String(e));
        assert.match(e.message, /table\.csv: row 51 has 3 cells but the header has 4 columns/);
        return true;
      });
    } finally {
      await source.close();
    }
  });

  it('runs the first pass in a worker of its own and relays its UserError with the hint', async () => {
    const file = path.join(tmpDir('prefetch'), 'typo.csv');
    fs.writeFileSync(file, 'n,x,kind,y\n1,2,a,0\n2,x3,b,1\n');
    await assert.rejects(open(file, 'worker'), (e: unknown) => {
      assert.ok(e instanceof UserError, String(e));
      assert.match(e.message, /typo\.csv: row 3, column 'x': "x3" is not a number/);
      assert.match(e.hint ?? '', /data\.categorical/);
      return true;
    });
  });
});
