// messages.jsonl: one protocol message a line, appended as frames arrive. Reading is tolerant: a
// last line cut short (the process died mid-write) is left out, and a line that is not a valid
// message is counted and skipped, so the rest of a damaged run still reads.
import * as fs from 'node:fs';
import { checkTrainerMessage } from '../protocol/messageChecks';
import type { BatchMessage, DoneMessage, TrainerMessage } from '../protocol/messages';
import { upgradeRecordedMessage } from './olderRunFormats';

export const MESSAGES_FILE = 'messages.jsonl';
const CHUNK_BYTES = 1 << 20;
const BATCH_OR_DONE = /"type"\s*:\s*"(batch|done)"/;

export interface ReadStats {
  messages: number;
  /** Complete lines that are not valid messages. */
  badLines: number;
  /** The file ends in a partial line (left out). */
  truncatedTail: boolean;
}

/** One frame's lines: each message as JSON, newline-terminated, so a frame is one append. */
export function frameText(messages: readonly TrainerMessage[]): string {
  let text = '';
  for (const m of messages) text += `${JSON.stringify(m)}\n`;
  return text;
}

function parseLine(line: string): TrainerMessage | null {
  if (line.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  const checked = checkTrainerMessage(upgradeRecordedMessage(value));
  return checked.ok ? checked.value : null;
}

/** Calls `onMessage` for every valid message of the file in order, reading it a chunk at a time. */
export function forEachMessage(file: string, onMessage: (m: TrainerMessage) => void): ReadStats {
  const stats: ReadStats = { messages: 0, badLines: 0, truncatedTail: false };
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return stats;
    throw e;
  }
  try {
    const buffer = Buffer.alloc(CHUNK_BYTES);
    let carry = '';
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      // A chunk may end inside a UTF-8 sequence: decode only up to its last newline.
      const lastNewline = buffer.lastIndexOf(0x0a, n - 1);
      if (lastNewline < 0) {
        carry += buffer.toString('utf8', 0, n);
        continue;
      }
      const text = carry + buffer.toString('utf8', 0, lastNewline + 1);
      carry = buffer.toString('utf8', lastNewline + 1, n);
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; start = end + 1, end = text.indexOf('\n', start)) {
        const line = text.slice(start, end);
        const m = parseLine(line);
        if (m) { stats.messages++; onMessage(m); } else if (line.trim() !== '') stats.badLines++;
      }
    }
    if (carry.trim() !== '') stats.truncatedTail = true;
  } finally {
    fs.closeSync(fd);
  }
  return stats;
}

export function readMessages(file: string): { messages: TrainerMessage[]; stats: ReadStats } {
  const messages: TrainerMessage[] = [];
  const stats = forEachMessage(file, (m) => messages.push(m));
  return { messages, stats };
}

export interface MessagesTail {
  lastBatch: BatchMessage | null;
  done: DoneMessage | null;
}

/**
 * The last batch and the run's done message, from the end of the file only (a listing must not read
 * a long run's messages): a window of 64 KB, widened while it holds no batch, up to 4 MB.
 */
export function readTail(file: string): MessagesTail {
  const tail: MessagesTail = { lastBatch: null, done: null };
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return tail;
    throw e;
  }
  try {
    const size = fs.fstatSync(fd).size;
    for (let window = 64 << 10; ; window *= 4) {
      const start = Math.max(0, size - window);
      const buffer = Buffer.alloc(size - start);
      fs.readSync(fd, buffer, 0, buffer.length, start);
      const lines = buffer.toString('utf8').split('\n');
      if (start > 0) lines.shift(); // begins mid-line
      for (let i = lines.length - 1; i >= 0 && !tail.lastBatch; i--) {
        const m = BATCH_OR_DONE.test(lines[i]) ? parseLine(lines[i]) : null;
        if (m?.type === 'done') tail.done ??= m;
        else if (m?.type === 'batch') tail.lastBatch = m;
      }
      if (tail.lastBatch || start === 0 || window >= 4 << 20) return tail;
      tail.done = null;
    }
  } finally {
    fs.closeSync(fd);
  }
}
