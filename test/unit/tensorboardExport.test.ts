import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { crc32c as ourCrc32c } from '../../src/runs/tensorboard/crc32c';
import { exportToTensorBoard } from '../../src/runs/tensorboard/tensorboardExport';
import { RunStore } from '../../src/runs/runStore';
import type { GradientsMessage } from '../../src/protocol/messages';
import { fixture } from '../helpers/fixtures';
import { syntheticLoss, syntheticRun, syntheticTestAccuracy } from '../helpers/syntheticRun';

// --- An independent reader: its own CRC-32C (bit by bit, no table), TFRecord framing, and the
// --- Event schema of TensorBoard (test/fixtures/tensorboard/events.proto) decoded by protobufjs.

function bitwiseCrc32c(bytes: Uint8Array): number {
  let crc = ~0 >>> 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0x82f63b78 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function masked(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) % 2 ** 32;
}

/** Splits a TFRecord file, checking both CRCs of every record. */
function readRecords(file: string): Buffer[] {
  const bytes = fs.readFileSync(file);
  const records: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    assert.ok(at + 12 <= bytes.length, `a record header at byte ${at} is cut short`);
    const length = Number(bytes.readBigUInt64LE(at));
    assert.equal(bytes.readUInt32LE(at + 8), masked(bitwiseCrc32c(bytes.subarray(at, at + 8))), `length CRC of the record at byte ${at}`);
    const data = bytes.subarray(at + 12, at + 12 + length);
    assert.equal(data.length, length, `the record at byte ${at} is cut short`);
    assert.equal(bytes.readUInt32LE(at + 12 + length), masked(bitwiseCrc32c(data)), `data CRC of the record at byte ${at}`);
    records.push(data);
    at += 12 + length + 4;
  }
  return records;
}

interface DecodedValue {
  tag: string;
  simpleValue?: number;
  histo?: { min: number; max: number; num: number; sum: number; sumSquares: number; bucketLimit: number[]; bucket: number[] };
}
interface DecodedEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  summary?: { value: DecodedValue[] };
  sourceMetadata?: { writer: string };
}

const EventType = protobuf.loadSync(fixture('tensorboard/events.proto')).lookupType('tensorboard.Event');

function decodeEvents(file: string): DecodedEvent[] {
  return readRecords(file).map((data) => {
    const message = EventType.decode(data);
    return EventType.toObject(message, { longs: Number, defaults: true, oneofs: false }) as DecodedEvent;
  });
}

/** Every (step, value) of a scalar tag, in file order. */
function scalars(events: DecodedEvent[], tag: string): [number, number][] {
  return events.flatMap((e) => (e.summary?.value ?? []).filter((v) => v.tag === tag && v.simpleValue !== undefined).map((v): [number, number] => [e.step, v.simpleValue!]));
}

function exportedRun(options: Parameters<typeof syntheticRun>[0] = {}, finish = true) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-tb-'));
  fs.writeFileSync(path.join(root, 'package.json'), '{}');
  const file = path.join(root, 'mlp.ts');
  fs.writeFileSync(file, '');
  const store = RunStore.forFile(file);
  const messages = syntheticRun(options);
  const recorder = store.create({ file });
  recorder.append(messages);
  if (finish) recorder.finish();
  const [entry] = store.list();
  const logDir = path.join(root, 'tb');
  const written = exportToTensorBoard(entry, logDir);
  return { entry, messages, logDir, written, events: decodeEvents(written.file) };
}

describe('CRC-32C', () => {
  it('matches the check value of CRC-32C: crc32c("123456789") = 0xE3069283', () => {
    const check = new TextEncoder().encode('123456789');
    assert.equal(bitwiseCrc32c(check), 0xe3069283);
    assert.equal(ourCrc32c(check), 0xe3069283);
  });

  it('agrees with the bitwise reference on random data of every small length', () => {
    let seed = 7;
    for (let n = 0; n < 300; n++) {
      const bytes = Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff);
      assert.equal(ourCrc32c(bytes), bitwiseCrc32c(bytes), `length ${n}`);
    }
  });
});

describe('TensorBoard export', () => {
  it('writes events.out.tfevents.<time>.<host> in a folder named after the run', () => {
    const { entry, logDir, written } = exportedRun();
    assert.equal(path.dirname(written.file), path.join(logDir, entry.id));
    assert.match(path.basename(written.file), new RegExp(`^events\\.out\\.tfevents\\.${Math.floor(Date.parse(entry.started) / 1000)}\\.${entry.host}$`));
  });

  it('frames every event as a TFRecord whose two masked CRC-32Cs check', () => {
    const { written } = exportedRun();
    const records = readRecords(written.file);
    assert.equal(records.length, written.events);
  });

  it('starts with the file_version event "brain.Event:2"', () => {
    const { events, entry } = exportedRun();
    assert.equal(events[0].fileVersion, 'brain.Event:2');
    assert.equal(events[0].wallTime, Date.parse(entry.started) / 1000);
    assert.ok(events.slice(1).every((e) => e.fileVersion === undefined || e.fileVersion === ''));
  });

  it('has the loss, accuracy and learning rate of every step as scalars', () => {
    const { events, messages } = exportedRun({ epochs: 2, stepsPerEpoch: 9 });
    const batches = messages.filter((m) => m.type === 'batch');
    const f = Math.fround;
    assert.deepEqual(scalars(events, 'train/loss'), batches.map((b) => [b.step, f(syntheticLoss(b.step))]));
    assert.deepEqual(scalars(events, 'train/accuracy'), batches.map((b) => [b.step, f(b.metrics.accuracy)]));
    assert.deepEqual(scalars(events, 'train/learning_rate'), batches.map((b) => [b.step, f(b.lr)]));
  });

  it('has the test loss and accuracy at the last step of every epoch', () => {
    const { events } = exportedRun({ epochs: 3, stepsPerEpoch: 4 });
    assert.deepEqual(scalars(events, 'test/accuracy'), [[4, Math.fround(syntheticTestAccuracy(1))], [8, Math.fround(syntheticTestAccuracy(2))], [12, Math.fround(syntheticTestAccuracy(3))]]);
    assert.deepEqual(scalars(events, 'test/loss').map(([s]) => s), [4, 8, 12]);
    assert.deepEqual(scalars(events, 'epoch/train_loss').map(([s]) => s), [4, 8, 12]);
  });

  it('has a histogram of each layer\'s gradients wherever the run sampled one', () => {
    const { events, messages } = exportedRun({ epochs: 1, stepsPerEpoch: 25, gradientEvery: 5, histogramEvery: 10 });
    const sampled = messages.filter((m): m is GradientsMessage => m.type === 'gradients' && m.layers.some((l) => l.histogram));
    const histograms = events.flatMap((e) => (e.summary?.value ?? []).filter((v) => v.tag === 'gradients/fc2' && v.histo).map((v) => ({ step: e.step, h: v.histo! })));
    assert.deepEqual(histograms.map((h) => h.step), sampled.map((m) => m.step));
    assert.deepEqual(histograms.map((h) => h.step), [1, 10, 20]);
    for (const { step, h } of histograms) {
      const source = sampled.find((m) => m.step === step)!.layers.find((l) => l.layer === 'fc2')!;
      const counts = source.histogram!.counts;
      assert.deepEqual(h.bucket, counts);
      assert.equal(h.num, counts.reduce((a, b) => a + b, 0));
      assert.equal(h.min, source.histogram!.min);
      assert.equal(h.max, source.histogram!.max);
      // equal buckets from min to max: each limit is the right edge
      assert.equal(h.bucketLimit.length, counts.length);
      const width = (h.max - h.min) / counts.length;
      h.bucketLimit.forEach((limit, i) => assert.ok(Math.abs(limit - (h.min + (i + 1) * width)) < 1e-12, `limit ${i}`));
      assert.ok(Math.abs(h.sumSquares - source.l2! ** 2) < 1e-12);
      // symmetric counts over a symmetric range sum to ~0
      assert.ok(Math.abs(h.sum) < 1e-9, String(h.sum));
    }
    assert.deepEqual(scalars(events, 'gradient_norm/fc1').map(([s]) => s), messages.filter((m) => m.type === 'gradients').map((m) => (m as GradientsMessage).step));
  });

  it('gives every event a wall time from the run\'s start and its elapsed time, never going back', () => {
    const { events, entry } = exportedRun({ epochs: 2 });
    const start = Date.parse(entry.started) / 1000;
    for (let i = 1; i < events.length; i++) {
      assert.ok(events[i].wallTime >= events[i - 1].wallTime, `event ${i}`);
      assert.ok(events[i].wallTime >= start);
    }
  });

  it('exports an interrupted run up to its last step', () => {
    const { events, entry } = exportedRun({ epochs: 2, stepsPerEpoch: 10, stopAtStep: 14 }, true);
    assert.equal(entry.status, 'interrupted');
    assert.deepEqual(scalars(events, 'train/loss').map(([s]) => s), Array.from({ length: 14 }, (_, i) => i + 1));
  });

  it('replaces an earlier export of the same run instead of doubling its points', () => {
    const { entry, logDir } = exportedRun();
    const again = exportToTensorBoard(entry, logDir);
    const files = fs.readdirSync(path.dirname(again.file)).filter((n) => n.includes('tfevents'));
    assert.deepEqual(files, [path.basename(again.file)]);
  });
});
