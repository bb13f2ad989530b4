// The one throttle on a run's messages: the trainer sends them to the host as one IPC frame per
// 50 ms, the host posts them to the panel at most N times a second. A small model runs hundreds of
// steps a second, and a frame or post per step costs the receiver a parse and an object each while
// it shares its event loop (the extension host with every extension, the panel with its drawing).
// Messages that change what the user sees at once go out immediately, after whatever was waiting,
// so the order is kept; the others at most once per interval, and as soon as it has passed.
// No vscode, no tfjs: used by src/trainer and src/host alike.
import type { TrainerProcessMessage } from './messages';

/** Sent at once: the backend, the model, an error or anomaly, a trace, a pause or resume, a build step and the end of the run. */
export const URGENT_MESSAGE_TYPES: ReadonlySet<TrainerProcessMessage['type']> = new Set(['ready', 'model', 'error', 'anomaly', 'done', 'build', 'trace', 'paused', 'resumed']);

export class MessageCoalescer<M extends TrainerProcessMessage = TrainerProcessMessage> {
  private pending: M[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private flushQueued = false;
  private lastSent = -Infinity;
  private written: Promise<void> = Promise.resolve();

  /**
   * `deliver` sends one batch of messages, in order (it may return a promise that resolves once the
   * batch is written); batches go out at most once per `intervalMs`, urgent ones aside.
   */
  constructor(private readonly deliver: (messages: M[]) => void | Promise<void>, private readonly intervalMs: number) {}

  post(message: M): void {
    this.pending.push(message);
    if (URGENT_MESSAGE_TYPES.has(message.type)) { void this.flush(); return; }
    if (this.timer || this.flushQueued) return;
    const wait = this.lastSent + this.intervalMs - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => void this.flush(), wait);
    } else {
      // The interval has passed: send once the code that posted is done (what it posts in the same
      // turn goes along), before the event loop moves on — a trainer's next step would hold a timer back.
      this.flushQueued = true;
      queueMicrotask(() => { if (this.flushQueued) void this.flush(); });
    }
  }

  /** Sends what is waiting; resolves once everything posted so far is written. */
  flush(): Promise<void> {
    this.cancelScheduled();
    if (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      this.lastSent = Date.now();
      this.written = Promise.resolve(this.deliver(batch));
    }
    return this.written;
  }

  /** Drops what is waiting (a snapshot replaces it, or nobody is listening any more). */
  discard(): void {
    this.cancelScheduled();
    this.pending = [];
  }

  private cancelScheduled(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flushQueued = false;
  }
}
