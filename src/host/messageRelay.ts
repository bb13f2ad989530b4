// Coalesces trainer messages for the panel: at most `rate` posts a second, each with everything
// that arrived since the last one. No `vscode` import.
import type { TrainerMessage } from '../protocol/messages';

export class MessageRelay {
  private buffer: TrainerMessage[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = 0;

  constructor(private readonly flush: (messages: TrainerMessage[]) => void, private readonly rate = 20) {}

  push(message: TrainerMessage): void {
    this.buffer.push(message);
    // The end of a run goes out at once, the rest at the rate.
    if (message.type === 'done' || message.type === 'error' || message.type === 'anomaly') { this.drain(); return; }
    if (this.timer) return;
    const interval = 1000 / Math.max(1, this.rate);
    const wait = Math.max(0, this.lastFlush + interval - Date.now());
    this.timer = setTimeout(() => this.drain(), wait);
  }

  drain(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    if (this.buffer.length === 0) return;
    const out = this.buffer;
    this.buffer = [];
    this.lastFlush = Date.now();
    this.flush(out);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.buffer = [];
  }
}
