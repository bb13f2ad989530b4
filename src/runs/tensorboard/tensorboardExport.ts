// `runs export RUN --tensorboard DIR`: the run's event file in DIR/<run id>/, where
// `tensorboard --logdir DIR` lists it as a run beside the others exported there.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { forEachMessage, MESSAGES_FILE } from '../messagesFile';
import type { RunEntry } from '../runStore';
import { EventEncoder, fileVersionEvent } from './tensorboardEvents';
import { tfRecord } from './tfRecord';

const FLUSH_BYTES = 1 << 20;

export interface TensorBoardExport {
  file: string;
  events: number;
  bytes: number;
}

export function exportToTensorBoard(run: RunEntry, logDir: string): TensorBoardExport {
  const dir = path.join(path.resolve(logDir), run.id);
  fs.mkdirSync(dir, { recursive: true });
  // TensorBoard reads every event file of a folder: an earlier export of this run would double its points.
  for (const name of fs.readdirSync(dir)) if (name.startsWith('events.out.tfevents.')) fs.rmSync(path.join(dir, name));
  const startedSec = Date.parse(run.started) / 1000;
  const file = path.join(dir, `events.out.tfevents.${Math.floor(startedSec)}.${run.host || 'localhost'}`);
  const fd = fs.openSync(file, 'w');
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let events = 0;
  let bytes = 0;
  const flush = () => {
    const chunk = Buffer.concat(pending);
    for (let written = 0; written < chunk.length;) written += fs.writeSync(fd, chunk, written, chunk.length - written);
    bytes += chunk.length;
    pending = [];
    pendingBytes = 0;
  };
  const add = (event: Uint8Array) => {
    const record = tfRecord(event);
    pending.push(record);
    pendingBytes += record.length;
    events++;
    if (pendingBytes >= FLUSH_BYTES) flush();
  };
  try {
    add(fileVersionEvent(startedSec));
    const encoder = new EventEncoder(startedSec);
    forEachMessage(path.join(run.dir, MESSAGES_FILE), (m) => { for (const e of encoder.encode(m)) add(e); });
    flush();
  } finally {
    fs.closeSync(fd);
  }
  return { file, events, bytes };
}
