// The one throttle on a run's messages: the trainer sends them to the host as one IPC frame per
// 50 ms, the host posts them to the panel at most N times a second. A small model runs hundreds of
// steps a second, and a frame or post per step costs the receiver a parse and an object each while
// it shares its event loop (the extension host with every extension, the panel with its drawing).
// Messages that change what the user sees at once go out immediately, after whatever was waiting,
// so the order is kept; the others at most once per interval, and as soon as it has passed (from
// post itself when the event loop is held so long that the scheduled send could not run).
// No vscode, no tfjs: used by src/trainer and src/host alike.
import type { TrainerProcessMessage } from './messages';

/** Sent at once: the backend, the model, an error, anomaly or diagnosis, a trace, a pause or resume, a build step and the end of the run. */
export const URGENT_MESSAGE_TYPES: ReadonlySet<TrainerProcessMessage['type']> = new Set(['ready', 'model', 'error', 'anomaly', 'diagnosis', 'done', 'build', 'trace', 'paused', 'resumed']);

export class MessageCoalescer<M extends TrainerProcessMessage = TrainerProcessMessage> {
  private pending: M[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private flushQueued = false;
  private lastSent = -Infinity;
  /** When the scheduled send was due (timer or microtask). */
  private dueAt = 0;
  private written: Promise<void> = Promise.resolve();

  /**
   * `deliver` sends one batch of messages, in order (it may return a promise that resolves once the
   * batch is written); batches go out at most once per `intervalMs`, urgent ones aside.
   */
  constructor(private readonly deliver: (messages: M[]) => void | Promise<void>, private readonly intervalMs: number) {}

  post(message: M): void {
    this.pending.push(message);
    if (URGENT_MESSAGE_TYPES.has(message.type)) { void this.flush(); return; }
    const now = Date.now();
    if (this.timer || this.flushQueued) {
      // A whole interval past due and still not sent: the event loop is held (a script's synchronous
      // training loop, or one that awaits only settled promises), so neither a timer nor a microtask
      // comes. Sent from here, so the figures still go out while it runs.
      if (now - this.dueAt >= this.intervalMs) void this.flush();
      return;
    }
    const wait = this.lastSent + this.intervalMs - now;
    this.dueAt = now + Math.max(0, wait);
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
