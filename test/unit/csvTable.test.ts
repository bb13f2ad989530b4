import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { collectBatches, inputShapeProblem, type Batch, type DataSource } from '../../src/data/dataSource';
import { openCsvSource, type CsvDataSpec, type OpenContext } from '../../src/data/csvSource';
import { readCsvRows } from '../../src/data/csvReader';
import { scanCsv } from '../../src/data/csvScan';
import { detectDelimiter } from '../../src/data/csvDelimiter';
import { streamedSource } from '../../src/data/streamedSource';
import { createRandom } from '../../src/data/seededRandom';
import { testMembers } from '../../src/data/datasetSplit';
import { UserError } from '../../src/model/userError';
import { tmpDir } from './idxTestFiles';

const write = (name: string, text: string): string => {
  const file = path.join(tmpDir('csv'), name);
  fs.writeFileSync(file, text);
  return file;
};

const open = (spec: Omit<CsvDataSpec, 'dataset'>, context: Partial<OpenContext> = {}) =>
  openCsvSource({ dataset: 'csv', ...spec }, { baseDir: '/', seed: 7, task: 'classification', ...context }, { prefetch: 'inline' });

async function rejectsWith(promise: Promise<unknown>, ...patterns: RegExp[]): Promise<UserError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof UserError, `a UserError, got ${(e as Error).stack}`);
    for (const p of patterns) assert.match(e.message, p);
    return e;
  }
  assert.fail('expected a UserError');
}

const COLORS = ['red', 'green', 'blue'];
const SPECIES = ['setosa', 'versicolor', 'virginica'];

/**
 * 3 classes, separable by x1 (class c near 10·c) with a colour that mostly follows the class; an id
 * column; cells missing in rows 4, 9, 23 (spreadsheet numbers), as pandas writes them: empty, NA, NaN.
 */
function threeClasses(rows = 300): { file: string; data: { id: number; x1: number; x2: number; color: string; species: string }[] } {
  const random = createRandom(11);
  const data = Array.from({ length: rows }, (_, i) => {
    const c = i % 3;
    return { id: i, x1: 10 * c + random() * 4 - 2, x2: random() * 100 - 50, color: random() < 0.9 ? COLORS[c] : COLORS[(c + 1) % 3], species: SPECIES[c] };
  });
  const lines = data.map((r, i) => {
    const row = [r.id, r.x1.toFixed(6), r.x2.toFixed(6), r.color, r.species].map(String);
    const line = i + 2; // the header is row 1
    if (line === 4) row[1] = '';
    if (line === 9) row[3] = 'NA';
    if (line === 23) row[2] = 'NaN';
    return row.join(',');
  });
  return { file: write('classes.csv', ['id,x1,x2,color,species', ...lines].join('\n') + '\n'), data };
}

/** Every sample of a split with its encoded values, in stream order. */
async function rowsOf(batches: AsyncIterable<Batch>, width: number): Promise<{ x: number[]; y: number }[]> {
  const out: { x: number[]; y: number }[] = [];
  for (const b of await collectBatches(batches)) {
    for (let i = 0; i < b.count; i++) {
      out.push({ x: [...b.inputs.subarray(i * width, (i + 1) * width)], y: b.kind === 'classification' ? b.labels[i] : b.targets[i] });
    }
  }
  return out;
}

/** Which raw row an encoded row is: by the rank of its standardised id among all kept ids. */
function byId(rows: { x: number[] }[], allEncodedIds: number[], keptIds: number[]): number[] {
  const sortedEncoded = [...allEncodedIds].sort((a, b) => a - b);
  return rows.map((r) => keptIds[sortedEncoded.indexOf(r.x[0])]);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

describe('CSV tables: the first pass', () => {
  it('counts rows, drops and reports the rows with missing cells, and sorts class names', async () => {
    const { file } = threeClasses();
    const source = await open({ file, label: 'species', categorical: ['color'] });
    assert.equal(source.trainCount + source.testCount, 297, '300 rows, 3 dropped');
    assert.deepEqual(source.task, { kind: 'classification', classNames: ['setosa', 'versicolor', 'virginica'] });
    assert.ok(source.notes.some((n) => /left out 3 of 300 rows with missing cells \(rows 4, 9, 23; x1 1, x2 1, color 1\)/.test(n)), source.notes.join('\n'));
    assert.deepEqual(source.inputShape, [6]);
    assert.deepEqual(source.featureNames, ['id', 'x1', 'x2', 'color=blue', 'color=green', 'color=red']);
  });

  it('keeps exactly round(rows × testSplit) rows per block of 1000 for testing, chosen by the seed', async () => {
    const lines = Array.from({ length: 2500 }, (_, i) => `${i},${i % 2}`);
    const file = write('plain.csv', ['x,y', ...lines].join('\n'));
    const a = await open({ file, label: 'y', testSplit: 0.2 });
    assert.equal(a.testCount, 200 + 200 + 100);
    assert.equal(a.trainCount, 2000);
    const b = await open({ file, label: 'y', testSplit: 0.2 }, { seed: 8 });
    const ids = async (s: DataSource) => (await rowsOf(s.testBatches(500), 1)).map((r) => r.x[0]);
    assert.notDeepEqual(await ids(a), await ids(b), 'another seed, another split');
    assert.deepEqual(await ids(a), await ids(await open({ file, label: 'y', testSplit: 0.2 })), 'the same seed, the same split');
  });

  it('standardises numeric columns with the training split\'s mean and population std, one-hot encodes with its vocabulary', async () => {
    const { file, data } = threeClasses();
    const source = await open({ file, label: 'species', categorical: ['color'] });
    const train = await rowsOf(source.trainBatches(1, 64), 6);
    const test = await rowsOf(source.testBatches(64), 6);
    const kept = data.filter((r) => ![2, 7, 21].includes(r.id)).map((r) => r.id);
    const allIds = [...train, ...test].map((r) => r.x[0]);
    const trainRows = byId(train, allIds, kept).map((id) => data[id]);
    const testRows = byId(test, allIds, kept).map((id) => data[id]);
    assert.equal(new Set(trainRows.map((r) => r.id)).size, source.trainCount, 'each train row once');
    for (const column of ['id', 'x1', 'x2'] as const) {
      const values = trainRows.map((r) => Number(column === 'id' ? r.id : r[column].toFixed(6)));
      const m = mean(values);
      const s = std(values);
      const k = ['id', 'x1', 'x2'].indexOf(column);
      [...train.map((r, i) => [r, trainRows[i]] as const), ...test.map((r, i) => [r, testRows[i]] as const)].forEach(([encoded, raw]) => {
        const value = Number(column === 'id' ? raw.id : raw[column].toFixed(6));
        assert.ok(Math.abs(encoded.x[k] - (value - m) / s) < 1e-5, `${column} of row ${raw.id}: ${encoded.x[k]} vs ${(value - m) / s}`);
      });
    }
    const vocabulary = ['blue', 'green', 'red'];
    train.forEach((r, i) => assert.deepEqual(r.x.slice(3), vocabulary.map((v) => (v === trainRows[i].color ? 1 : 0))));
    train.forEach((r, i) => assert.equal(r.y, SPECIES.indexOf(trainRows[i].species)));
    test.forEach((r, i) => assert.equal(r.y, SPECIES.indexOf(testRows[i].species)));
  });

  it('maps a category the training split has not seen to all zeros', async () => {
    const members = testMembers(0, 30, 0.2, 7);
    const testRow = members.indexOf(1);
    const lines = Array.from({ length: 30 }, (_, i) => `${i},${i === testRow ? 'purple' : ['a', 'b'][i % 2]},${i % 2}`);
    const source = await open({ file: write('unseen.csv', ['n,kind,y', ...lines].join('\n')), label: 'y', categorical: ['kind'] });
    assert.deepEqual(source.featureNames, ['n', 'kind=a', 'kind=b']);
    const test = await rowsOf(source.testBatches(100), 3);
    const zeros = test.filter((r) => r.x[1] === 0 && r.x[2] === 0);
    assert.equal(zeros.length, 1, 'only the purple row');
    assert.equal(test.length, 6);
  });

  it("under categorical: 'auto' one-hot encodes the columns with text and keeps numbers numeric", async () => {
    const { file } = threeClasses();
    const source = await open({ file, label: 'species', categorical: 'auto' });
    assert.deepEqual(source.featureNames, ['id', 'x1', 'x2', 'color=blue', 'color=green', 'color=red']);
    assert.ok(source.notes.some((n) => n.includes('one-hot encoded: color (3 values)')));
  });

  it("under missing: 'mean' keeps the rows, filling numbers with the training mean (0 once standardised) and categories with none", async () => {
    const { file } = threeClasses(30);
    const source = await open({ file, label: 'species', categorical: ['color'], missing: 'mean', testSplit: 0 });
    assert.equal(source.trainCount, 30);
    const rows = await rowsOf(source.testBatches(1), 6);
    assert.equal(rows.length, 0, 'no test split');
    const train = await rowsOf(source.trainBatches(1, 7), 6);
    const ids = train.map((r) => r.x[0]).sort((a, b) => a - b);
    const row = (id: number) => train.find((r) => r.x[0] === ids[id])!;
    assert.equal(row(2).x[1], 0, 'row 4 (id 2) has no x1: the mean');
    assert.deepEqual(row(7).x.slice(3), [0, 0, 0], 'row 9 (id 7) has no colour');
    assert.ok(source.notes.some((n) => /filled 3 missing cells/.test(n)), source.notes.join('\n'));
  });

  it('reads the label as a number for regression, and names the cell that is not one', async () => {
    const random = createRandom(3);
    const lines = Array.from({ length: 200 }, () => {
      const a = random() * 10;
      const b = random() * 10;
      return [a, b, 3 * a - 2 * b + 0.1 * (random() - 0.5)].map((v) => v.toFixed(5)).join(',');
    });
    const file = write('linear.csv', ['a,b,target', ...lines].join('\n'));
    const source = await open({ file, label: 'target' }, { task: 'regression' });
    assert.deepEqual(source.task, { kind: 'regression', targetNames: ['target'] });
    const [batch] = await collectBatches(source.testBatches(1000));
    assert.equal(batch.kind, 'regression');
    const expected = new Set(lines.map((l) => Math.fround(Number(l.split(',')[2]))));
    if (batch.kind === 'regression') for (const t of batch.targets) assert.ok(expected.has(t), `${t} is one of the file's targets`);
    const bad = write('bad-target.csv', 'a,target\n1,2\n3,four\n');
    await rejectsWith(open({ file: bad, label: 'target' }, { task: 'regression' }), /bad-target\.csv: row 3, label column 'target': "four" is not a number/);
  });

  it('streams train rows in a seeded order per epoch: each row once, the same epoch alike, epochs different', async () => {
    const lines = Array.from({ length: 500 }, (_, i) => `${i},${i % 3}`);
    const file = write('order.csv', ['x,y', ...lines].join('\n'));
    const source = await open({ file, label: 'y', testSplit: 0.2 });
    const epoch1 = (await rowsOf(source.trainBatches(1, 32), 1)).map((r) => r.x[0]);
    assert.equal(epoch1.length, 400);
    assert.equal(new Set(epoch1).size, 400);
    assert.deepEqual((await rowsOf(source.trainBatches(1, 32), 1)).map((r) => r.x[0]), epoch1);
    const epoch2 = (await rowsOf(source.trainBatches(2, 32), 1)).map((r) => r.x[0]);
    assert.notDeepEqual(epoch2, epoch1);
    assert.deepEqual([...epoch2].sort(), [...epoch1].sort());
    const sorted = [...epoch1].sort((a, b) => a - b);
    assert.notDeepEqual(epoch1, sorted, 'not in file order');
    const sizes = (await collectBatches(source.trainBatches(1, 32))).map((b) => b.count);
    assert.deepEqual(sizes, [...Array(12).fill(32), 16]);
  });

  it('mixes rows with a shuffle buffer smaller than the split, still each row once', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `${i},${i % 2}`);
    const file = write('buffer.csv', ['x,y', ...lines].join('\n'));
    const source = await openCsvSource({ dataset: 'csv', file, label: 'y', testSplit: 0 }, { baseDir: '/', seed: 1, task: 'classification' },
      { prefetch: 'inline', shuffleBufferRows: 16 });
    const order = (await rowsOf(source.trainBatches(1, 50), 1)).map((r) => r.x[0]);
    assert.equal(new Set(order).size, 300);
    const ranks = [...order].sort((a, b) => a - b);
    const position = order.map((v) => ranks.indexOf(v));
    assert.ok(position.slice(0, 16).every((p) => p < 16 + 16), 'early rows come from the start of the file (a 16-row buffer)');
    assert.notDeepEqual(position, position.map((_, i) => i));
  });

  it('keeps limit and testLimit as the first rows of each split', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `${i},${i % 2}`);
    const source = await open({ file: write('limit.csv', ['x,y', ...lines].join('\n')), label: 'y' }, { limit: 10, testLimit: 3 });
    assert.equal(source.trainCount, 10);
    assert.equal(source.testCount, 3);
    assert.equal((await rowsOf(source.trainBatches(1, 4), 1)).length, 10);
    const shown = await source.samples(5, 'test');
    assert.equal(shown.kind === 'rows' && shown.rows.length, 3);
  });

  it('keeps a seeded random subset of the training rows under limit (a table sorted by class keeps both), the first test rows under testLimit', async () => {
    // Sorted by class; one quoted cell sends the second file through the text parser instead of the bytes.
    const lines = Array.from({ length: 200 }, (_, i) => `${i},${i < 100 ? 'a' : 'b'}`);
    const plainFile = write('sorted.csv', ['id,kind', ...lines].join('\n'));
    const quotedFile = write('sorted-quoted.csv', ['id,"kind"', ...lines].join('\n'));
    const ids = async (source: DataSource, split: 'train' | 'test') => {
      const shown = await source.samples(1000, split);
      assert.ok(shown.kind === 'rows');
      return shown.rows.map(([id]) => Number(id));
    };
    const all = await open({ file: plainFile, label: 'kind' });
    const limited = await open({ file: plainFile, label: 'kind' }, { limit: 30, testLimit: 5 });
    assert.deepEqual([limited.trainCount, limited.testCount], [30, 5]);
    const kept = await ids(limited, 'train');
    assert.equal(kept.length, 30);
    assert.notDeepEqual(kept, (await ids(all, 'train')).slice(0, 30), 'not the first training rows');
    assert.ok(kept.some((id) => id < 100) && kept.some((id) => id >= 100), `both classes: ${kept}`);
    assert.deepEqual(await ids(limited, 'test'), (await ids(all, 'test')).slice(0, 5), 'the first test rows');
    const batches = await rowsOf(limited.trainBatches(1, 8), 1);
    assert.equal(batches.length, 30);
    assert.deepEqual(new Set(batches.map((r) => r.y)), new Set([0, 1]));
    assert.deepEqual(await ids(await open({ file: quotedFile, label: 'kind' }, { limit: 30, testLimit: 5 }), 'train'), kept, 'the text parser keeps the same rows');
    assert.deepEqual(await ids(await open({ file: plainFile, label: 'kind' }, { limit: 30 }), 'train'), kept, 'the same seed, the same rows');
    assert.notDeepEqual(await ids(await open({ file: plainFile, label: 'kind' }, { limit: 30, seed: 8 }), 'train'), kept, 'another seed, other rows');
  });

  it('shows the first rows of each split as written, features then label', async () => {
    const file = write('show.csv', 'a,b,label\n1.50,x,yes\n2,y,no\n3,x,yes\n4,y,no\n5,x,yes\n');
    const source = await open({ file, label: 'label', categorical: ['b'], testSplit: 0.4 });
    const test = await source.samples(10, 'test');
    const train = await source.samples(10, 'train');
    assert.ok(test.kind === 'rows' && train.kind === 'rows');
    assert.deepEqual(test.columns, ['a', 'b', 'label']);
    assert.deepEqual(train.columns, ['a', 'b', 'label']);
    assert.equal(test.rows.length, 2);
    assert.equal(train.rows.length, 3);
    const all = ['1.50,x,yes', '2,y,no', '3,x,yes', '4,y,no', '5,x,yes'];
    const shown = [...train.rows, ...test.rows].map((row) => row.join(','));
    assert.deepEqual([...shown].sort(), [...all].sort(), 'each row in exactly one split, as written');
  });

  it('tells the model\'s input shape to use when it does not fit the features', async () => {
    const { file } = threeClasses(30);
    const source = await open({ file, label: 'species', categorical: ['color'] });
    assert.equal(inputShapeProblem(source, [6]), null);
    assert.match(inputShapeProblem(source, [4])!, /6 features \(id, x1, x2, color=blue, color=green, color=red\)\. Give the first layer inputShape: \[6\]/);
  });
});

describe('CSV tables: the delimiter, when data.delimiter is not set', () => {
  const rows = (d: string, quoteText: boolean) => {
    const q = (s: string) => (quoteText ? `"${s}"` : s);
    return [[q('sepal length'), q('petal, width'), q('species')].join(d),
      ...Array.from({ length: 30 }, (_, i) => [String(i % 7), String((i % 5) / 10), q(SPECIES[i % 3])].join(d))].join('\r\n');
  };

  for (const [d, name] of [[';', 'semicolons'], ['\t', 'tabs'], ['|', 'pipes'], [',', 'commas']] as const) {
    it(`is found in a file written with ${name} (quoted text with a comma in it too), and the table reads the same`, async () => {
      const file = write(`by-${name}.csv`, rows(d, true));
      const source = await open({ file, label: 'species' });
      assert.deepEqual(source.featureNames, ['sepal length', 'petal, width']);
      assert.equal(source.trainCount + source.testCount, 30);
      assert.deepEqual(source.task, { kind: 'classification', classNames: SPECIES });
      const said = source.notes.some((n) => /cells split at/.test(n));
      assert.equal(said, d !== ',', source.notes.join('\n'));
    });
  }

  it('is found in a wide file with non-ASCII names, longer than the sample (which ends inside a line)', async () => {
    const header = [...Array.from({ length: 500 }, (_, i) => `Größe_${i}`), 'label'].join(';');
    // Fewer than the sniffer's 20 lines fit in its 64 KiB sample: the last one it sees is cut.
    const lines = Array.from({ length: 40 }, (_, r) => [...Array.from({ length: 500 }, (_, i) => (10 + (r * i) % 97 / 7).toFixed(4)), r % 2].join(';'));
    const text = [header, ...lines].join('\n');
    assert.ok(Buffer.byteLength(lines.slice(0, 19).join('\n')) > 64 * 1024);
    assert.equal(await detectDelimiter(write('de-wide.csv', text)), ';');
  });

  it('stays a comma when no candidate splits every line evenly, and is a tab for such a .tsv file', async () => {
    const ragged = ['a,b;c', '1;2;3,4', '5,6,7', '8|9'].join('\n');
    assert.equal(await detectDelimiter(write('ragged.csv', ragged)), ',');
    assert.equal(await detectDelimiter(write('ragged.tsv', ragged)), '\t');
    assert.equal(await detectDelimiter(write('one-column.csv', 'y\n1\n0')), ',');
  });

  it('is the one given in data.delimiter, even where another would split the file evenly', async () => {
    const file = write('given.csv', ['a;b;c,d', 'x;2;q,0', 'y;4;r,1', 'x;6;q,0', 'y;8;r,1'].join('\n'));
    assert.equal(await detectDelimiter(file), ';', 'both split it evenly: the one with more cells is found');
    const scan = await scanCsv({ file, label: 'd', task: 'classification', seed: 1, delimiter: ',', categorical: 'auto' });
    assert.equal(scan.plan.delimiter, ',');
    assert.deepEqual(scan.plan.header, ['a;b;c', 'd']);
  });
});

describe('CSV tables: reading the file', () => {
  it('reads quotes, doubled quotes, delimiters and line breaks in quotes, CRLF and a BOM, across chunk boundaries', async () => {
    const text = '\ufeffname,note,y\r\n"Smith, J.","said ""hi""\r\nthen left",1\r\nplain,"",0\r\n\r\nlast,x,1';
    const file = write('quoted.csv', text);
    const expected = [['name', 'note', 'y'], ['Smith, J.', 'said "hi"\r\nthen left', '1'], ['plain', '', '0'], [''], ['last', 'x', '1']];
    for (const chunkChars of [3, 7, 16, 1 << 20]) {
      const rows: string[][] = [];
      const numbers: number[] = [];
      for await (const chunk of readCsvRows(file, { chunkChars })) {
        chunk.rows.forEach((r, i) => { rows.push(r); numbers.push(chunk.firstRowNumber + i); });
      }
      assert.deepEqual(rows, expected, `chunks of ${chunkChars}`);
      assert.deepEqual(numbers, [1, 2, 3, 4, 5]);
    }
  });

  it('reads lines ending in \\r\\n, \\n and a lone \\r mixed in one file, breaks in quotes kept, across chunk boundaries', async () => {
    // A CRLF header, LF rows, a lone CR, quotes as papaparse reads them: "" in a quoted cell, 5" in an unquoted one.
    const text = 'a,b,y\r\n1,"x\r\ny",0\n2,5",1\r3,"q""\r",0 \n4,"z",1\r\n\r\n5,w,0\r';
    const expected = [['a', 'b', 'y'], ['1', 'x\r\ny', '0'], ['2', '5"', '1'], ['3', 'q"\r', '0 '], ['4', 'z', '1'], [''], ['5', 'w', '0']];
    const file = write('mixed-breaks.csv', text);
    for (let chunkChars = 1; chunkChars <= text.length; chunkChars++) {
      const rows: string[][] = [];
      const numbers: number[] = [];
      let loneCr = false;
      for await (const chunk of readCsvRows(file, { chunkChars })) {
        chunk.rows.forEach((r, i) => { rows.push(r); numbers.push(chunk.firstRowNumber + i); });
        loneCr = chunk.loneCr;
      }
      assert.deepEqual(rows, expected, `chunks of ${chunkChars}`);
      assert.deepEqual(numbers, [1, 2, 3, 4, 5, 6, 7]);
      assert.equal(loneCr, true);
    }
  });

  it('trains on a CRLF header over LF rows from its bytes as through the parser, and on lone \\r lines through the parser', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 7},${(i % 5) / 10},${SPECIES[i % 3]}`);
    for (const [name, text, plain] of [
      ['crlf-header.csv', `a,b,kind\r\n${rows.join('\n')}\n`, true],
      ['cr-mixed.csv', `a,b,kind\r\n${rows.slice(0, 20).join('\n')}\r${rows.slice(20).join('\r')}`, false],
    ] as const) {
      const file = write(name, text);
      const { plan } = await scanCsv({ file, label: 'kind', task: 'classification', seed: 2, testSplit: 0.25 });
      assert.equal(plan.trainCount + plan.testCount, 40, name);
      assert.equal(plan.plain, plain, name);
      const info = { name: 'csv', source: file, inputShape: [plan.width], task: plan.task, trainCount: plan.trainCount, testCount: plan.testCount, featureNames: plan.featureNames, notes: [] };
      const viaText = await collectBatches(streamedSource({ ...plan, plain: false }, info, { prefetch: 'inline' }).trainBatches(1, 8));
      assert.equal(viaText.reduce((n, b) => n + b.count, 0), plan.trainCount);
      if (plain) assert.deepEqual(await collectBatches(streamedSource(plan, info, { prefetch: 'inline' }).trainBatches(1, 8)), viaText, name);
    }
  });

  it('names the file, row and column of a cell that is not a number in a numeric column', async () => {
    const file = write('typo.csv', 'a,b,y\n1,2,0\n3,x4,1\n');
    const e = await rejectsWith(open({ file, label: 'y' }), /typo\.csv: row 3, column 'b': "x4" is not a number/);
    assert.match(e.hint!, /data\.categorical/);
  });

  it('names the label column that is missing and lists the columns there are', async () => {
    await rejectsWith(open({ file: write('nolabel.csv', 'a,b\n1,2\n'), label: 'target' }), /nolabel\.csv has no label column 'target': its columns are 'a', 'b'/);
    // Split at a comma, a semicolon header reads as one long column: shortened, and the delimiter named.
    const file = write('one-column.csv', `${Array.from({ length: 30 }, (_, i) => `col_${i}`).join(';')};y\n${'1;'.repeat(30)}0\n`);
    const e = await rejectsWith(open({ file, label: 'y', delimiter: ',' }), /its columns are 'col_0;col_1;col_2;col_3;col_4;col_5;col_…'$/);
    assert.match(e.hint!, /set data\.delimiter to ';'/);
  });

  it("under missing: 'error' counts the missing cells and names their rows", async () => {
    const { file } = threeClasses(30);
    await rejectsWith(open({ file, label: 'species', categorical: ['color'], missing: 'error' }), /has 3 missing cells in 3 rows \(rows 4, 9, 23; x1 1, x2 1, color 1\)/);
  });

  it('names a row whose number of cells differs from the header, and an unclosed quote', async () => {
    await rejectsWith(open({ file: write('short.csv', 'a,b,y\n1,2,0\n1,0\n'), label: 'y' }), /short\.csv: row 3 has 2 cells but the header has 3 columns/);
    await rejectsWith(open({ file: write('quote.csv', 'a,y\n1,0\n"2,1\n'), label: 'y' }), /quote\.csv: row 3: .*quote/i);
  });

  it('names a missing file and an empty one', async () => {
    await rejectsWith(open({ file: '/nonexistent/table.csv', label: 'y' }), /cannot read \/nonexistent\/table\.csv: no such file/);
    await rejectsWith(open({ file: write('empty.csv', ''), label: 'y' }), /empty\.csv is empty/);
  });

  it('names the column that is empty in every row when none is left, and a column the header leaves unnamed', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => `${i},${i % 2},`);
    const trailing = await rejectsWith(open({ file: write('trailing.csv', ['a,y,', ...rows].join('\n')), label: 'y' }),
      /trailing\.csv has no training rows: the unnamed column 3 is empty in all 12 data rows$/);
    assert.match(trailing.hint!, /trailing comma.*data\.features/);
    const named = await rejectsWith(open({ file: write('empty-column.csv', ['a,notes,y', ...rows.map((r) => r.replace(/,(\d),$/, ',,$1'))].join('\n')), label: 'y' }),
      /has no training rows: 'notes' is empty in all 12 data rows$/);
    assert.match(named.hint!, /^List the columns to use in data\.features \(without it\)/);
    const indexed = await open({ file: write('pandas.csv', [',a,y', ...rows.map((r, i) => `${i},${r.slice(0, -1)}`)].join('\n')), label: 'y' });
    assert.match(indexed.notes.join('\n'), /column 1 has no name in the header \(a saved pandas index\?\)/);
  });

  it('names a UTF-16 file (by its byte order mark or NUL bytes), a decimal comma, and a file without a header row', async () => {
    const text = 'a\tb\ty\r\n1\t2\t0\r\n';
    const dir = path.dirname(write('utf8.csv', text));
    const bytesFile = (name: string, bytes: Buffer) => {
      fs.writeFileSync(path.join(dir, name), bytes);
      return path.join(dir, name);
    };
    const le = await rejectsWith(open({ file: bytesFile('utf16le.csv', Buffer.from(`\ufeff${text}`, 'utf16le')), label: 'y' }),
      /utf16le\.csv is UTF-16 text \(it starts with a UTF-16LE byte order mark\), but tables are read as UTF-8$/);
    assert.match(le.hint!, /Save it as UTF-8/);
    await rejectsWith(open({ file: bytesFile('utf16be.csv', Buffer.from(`\ufeff${text}`, 'utf16le').swap16()), label: 'y' }), /UTF-16BE byte order mark/);
    await rejectsWith(open({ file: bytesFile('nobom.csv', Buffer.from(text, 'utf16le')), label: 'y' }), /nobom\.csv holds NUL bytes \(UTF-16 text, or not text at all\)/);

    const comma = await rejectsWith(open({ file: write('eu.csv', 'x;y\n0,3456;1\n1,5;0\n'), label: 'y' }), /row 2, column 'x': "0,3456" is not a number$/);
    assert.match(comma.hint!, /decimal comma.*decimal=','/);
    const headerless = await rejectsWith(open({ file: write('noheader.csv', '0.1,0.2,setosa\n0.3,0.4,virginica\n'), label: 'species' }), /has no label column 'species'/);
    assert.match(headerless.hint!, /first row holds numbers, not column names/);
  });

  it('names a folder given as data.file, and the tables in it', async () => {
    const folder = path.dirname(write('in-folder.csv', 'a,y\n1,0\n'));
    const e = await rejectsWith(open({ file: folder, label: 'y' }), new RegExp(`^${folder.replace(/[.\\]/g, '\\$&')} is a folder, but data\\.file must be a CSV file$`));
    assert.match(e.hint!, /in-folder\.csv in that folder/);
    assert.equal(await detectDelimiter(folder), ',', 'the sniffer leaves the folder to the reader');
  });

  it('rejects a label column with too many values for classes, pointing to regression', async () => {
    const lines = Array.from({ length: 1200 }, (_, i) => `${i},${i * 1.5}`);
    const e = await rejectsWith(open({ file: write('many.csv', ['x,price', ...lines].join('\n')), label: 'price', testSplit: 0 }), /more than 1000 different values/);
    assert.match(e.hint!, /regression loss/);
  });
});

describe('CSV tables: a plain file read from its bytes means what the text parser reads', () => {
  /** Random decimal texts as tables hold them: signs, fractions, exponents, long and short, zeros. */
  function decimals(count: number): string[] {
    const random = createRandom(21);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
    return Array.from({ length: count }, () => {
      const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
      const whole = digits(Math.floor(random() * 9));
      const fraction = random() < 0.7 ? `.${digits((whole ? 0 : 1) + Math.floor(random() * 12))}` : '';
      const exponent = random() < 0.15 ? `${pick(['e', 'E'])}${pick(['', '-', '+'])}${Math.floor(random() * 40)}` : '';
      const text = `${pick(['', '', '-', '+'])}${whole || (fraction ? '' : '0')}${fraction}${exponent}`;
      return text === '' || text === '.' ? '0' : text;
    });
  }

  it('reads every decimal number to the same double as Number() (or leaves it to the text path)', async () => {
    const { decimalAt } = await import('../../src/data/csvBytes');
    const texts = [...decimals(20_000), '-0', '0.0', '1e22', '9007199254740993', '123456789012345678', '1e-400', '.5', '5.', '-.5e-3', '1e', '+-1', ' 1', '1 ', 'NA', '0x1f'];
    let fast = 0;
    for (const text of texts) {
      const value = decimalAt(Buffer.from(text), 0, text.length);
      if (Number.isNaN(value)) continue;
      fast++;
      assert.ok(Object.is(value, Number(text)), `${text}: ${value} vs ${Number(text)}`);
    }
    assert.ok(fast > texts.length / 2, `most numbers take the fast path (${fast} of ${texts.length})`);
  });

  it('finds a file with a quote not plain', async () => {
    const { plan } = await scanCsv({ file: write('quoted.csv', 'a,y\n"1",0\n2,1\n'), label: 'y', task: 'classification', seed: 1, testSplit: 0 });
    assert.equal(plan.plain, false);
  });

  it('gives the same batches of both splits, with a BOM, \\r\\n lines across chunks, blank lines, missing and unusual cells', async () => {
    const random = createRandom(5);
    const lines = ['a,b,kind,y'];
    // Over 1 MB: lines cross the reader's chunks.
    const rows = 100_000;
    const texts = decimals(rows);
    for (let r = 0; r < rows; r++) {
      if (r % 97 === 5) lines.push('');
      const a = r % 53 === 3 ? 'NA' : r % 61 === 4 ? '' : texts[r];
      const b = r % 41 === 2 ? ' 2.5 ' : r % 43 === 1 ? '1234567890123456789' : (random() * 100 - 50).toFixed(3);
      lines.push([a, b, ['x', ' y', 'zé'][r % 3], String(r % 4)].join(','));
    }
    const text = `\ufeff${lines.join('\r\n')}\r\n`;
    assert.ok(Buffer.byteLength(text) > 1.5 * (1 << 20));
    for (const missing of ['drop', 'mean'] as const) {
      const file = write(`plain-${missing}.csv`, text);
      const { plan } = await scanCsv({ file, label: 'y', categorical: ['kind'], missing, testSplit: 0.3, task: 'classification', seed: 7 });
      assert.equal(plan.plain, true, 'no quotes, \\r\\n lines: read from its bytes');
      const info = { name: 'csv', source: file, inputShape: [plan.width], task: plan.task, trainCount: plan.trainCount, testCount: plan.testCount, featureNames: plan.featureNames, notes: [] };
      const bytes = streamedSource(plan, info, { prefetch: 'inline' });
      const viaText = streamedSource({ ...plan, plain: false }, info, { prefetch: 'inline' });
      for (const [name, a, b] of [
        ['train', bytes.trainBatches(2, 16), viaText.trainBatches(2, 16)],
        ['test', bytes.testBatches(50), viaText.testBatches(50)],
      ] as const) {
        const [x, y] = [await collectBatches(a), await collectBatches(b)];
        assert.ok(x.length > 0);
        assert.equal(x.reduce((n, batch) => n + batch.count, 0), name === 'train' ? plan.trainCount : plan.testCount);
        assert.deepEqual(x, y, `${missing}, ${name}`);
      }
      assert.deepEqual(await bytes.samples(5, 'train'), await viaText.samples(5, 'train'));
    }
  });
});
