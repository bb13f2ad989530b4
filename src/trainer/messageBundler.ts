// The trainer's messages to the host, sent as one IPC frame (an array) per BUNDLE_MS instead of one
// frame per message. A small model at a small batch size runs hundreds of steps a second; one frame
// each cost the extension host a pipe read, a JSON parse and a garbage-collected object per step,
// while it shares its event loop with every other extension. Messages that change what the user sees
// at once (the model, an error, an anomaly, the end of the run) go out immediately, after whatever
// was waiting, so the order is kept.
import type { TrainerMessage } from '../protocol/messages';

export const BUNDLE_MS = 50;
const URGENT: ReadonlySet<TrainerMessage['type']> = new Set(['ready', 'model', 'error', 'anomaly', 'done']);

export class MessageBundler {
  private pending: TrainerMessage[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private last: Promise<void> = Promise.resolve();

  /** `send` delivers one frame (a message or an array of them) and resolves once it is written. */
  constructor(private readonly send: (frame: TrainerMessage | TrainerMessage[]) => Promise<void>, private readonly intervalMs = BUNDLE_MS) {}

  post(message: TrainerMessage): void {
    this.pending.push(message);
    if (URGENT.has(message.type)) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  /** Sends what is waiting; resolves once everything posted so far is written. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length > 0) {
      const frame = this.pending.length === 1 ? this.pending[0] : this.pending;
      this.pending = [];
      this.last = this.send(frame);
    }
    return this.last;
  }
}
