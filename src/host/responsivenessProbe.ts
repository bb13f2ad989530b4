// How responsive the extension host stays while a run streams in (issue budget: event-loop delay
// p99 < 20 ms): the delay of a 10 ms timer, how busy the loop itself was (a late timer with an idle
// loop means the process was not given a core, not that something blocked it) and the garbage
// collector's pauses in the same time (the extension host's heap is shared with every extension).
// Each late tick (> LATE_MS past due) is also attributed: how much of its wait the loop spent running
// (JS or GC of any extension: something blocked it) and how much idle in the kernel's poll (the timer
// was due but the process was not given a core).
import { monitorEventLoopDelay, performance, PerformanceObserver, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';

const RESOLUTION_MS = 10;

interface Work { count: number; totalMs: number; maxMs: number }
const hostWork = new Map<string, Work>();

/** Runs `fn` and books its time under `label`: Model Lens's own work in the host, for the probe's report. */
export function timeHostWork<T>(label: string, fn: () => T): T {
  const started = performance.now();
  try {
    return fn();
  } finally {
    const ms = performance.now() - started;
    const w = hostWork.get(label) ?? { count: 0, totalMs: 0, maxMs: 0 };
    w.count++;
    w.totalMs += ms;
    w.maxMs = Math.max(w.maxMs, ms);
    hostWork.set(label, w);
  }
}
/** A tick later than this counts as late (the p99 budget). */
export const LATE_MS = 20;

export class ResponsivenessProbe {
  private readonly delay: IntervalHistogram;
  private readonly busyAtStart: EventLoopUtilization;
  private readonly gc: PerformanceObserver | null;
  private gcCount = 0;
  private gcTotalMs = 0;
  private gcMaxMs = 0;
  private readonly ticker: NodeJS.Timeout;
  private lastTick = performance.now();
  private lastUse: EventLoopUtilization = performance.eventLoopUtilization();
  private lateTicks = 0;
  private lateActiveMs = 0;
  private lateIdleMs = 0;

  constructor() {
    hostWork.clear();
    this.ticker = setInterval(() => this.tick(), RESOLUTION_MS);
    this.ticker.unref();
    this.delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.delay.enable();
    this.busyAtStart = performance.eventLoopUtilization();
    let observer: PerformanceObserver | null = null;
    try {
      observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          this.gcCount++;
          this.gcTotalMs += e.duration;
          this.gcMaxMs = Math.max(this.gcMaxMs, e.duration);
        }
      });
      observer.observe({ entryTypes: ['gc'] });
    } catch {
      observer = null; // a runtime without GC entries: the report says so
    }
    this.gc = observer;
  }

  private tick(): void {
    const now = performance.now();
    const use = performance.eventLoopUtilization();
    const since = performance.eventLoopUtilization(use, this.lastUse);
    if (now - this.lastTick - RESOLUTION_MS > LATE_MS) {
      this.lateTicks++;
      this.lateActiveMs += since.active;
      this.lateIdleMs += since.idle;
    }
    this.lastTick = now;
    this.lastUse = use;
  }

  /** Late ticks so far and how their waits split between a running loop and an idle one (ms). */
  lateness(): { ticks: number; activeMs: number; idleMs: number } {
    return { ticks: this.lateTicks, activeMs: this.lateActiveMs, idleMs: this.lateIdleMs };
  }

  /** Stops measuring; one line for the output channel. */
  stop(): string {
    clearInterval(this.ticker);
    this.delay.disable();
    this.gc?.disconnect();
    // The histogram holds the time between timer ticks: the delay is what exceeds the resolution.
    const ms = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS).toFixed(1);
    const busy = performance.eventLoopUtilization(this.busyAtStart).utilization;
    const gc = this.gc ? `${this.gcCount} GC pauses, ${this.gcTotalMs.toFixed(0)} ms in all, the longest ${this.gcMaxMs.toFixed(1)} ms` : 'GC pauses not observable';
    const waited = this.lateActiveMs + this.lateIdleMs;
    const late = this.lateTicks === 0 ? `no tick was more than ${LATE_MS} ms late`
      : `${this.lateTicks} ticks more than ${LATE_MS} ms late, waiting ${waited.toFixed(0)} ms in all: the loop was running ` +
        `${(100 * this.lateActiveMs / Math.max(1e-9, waited)).toFixed(0)}% of that time and idle (no core) the rest`;
    const ours = [...hostWork].sort((a, b) => b[1].maxMs - a[1].maxMs)
      .map(([label, w]) => `${label} ${w.count}× ${w.totalMs.toFixed(0)} ms, longest ${w.maxMs.toFixed(1)} ms`).join(', ');
    return `event-loop delay during the run: p50 ${ms(this.delay.percentile(50))} ms, p99 ${ms(this.delay.percentile(99))} ms, ` +
      `max ${ms(this.delay.max)} ms; loop busy ${(100 * busy).toFixed(1)}% of the time; ${gc}; ${late}; Model Lens's own work: ${ours || 'none timed'}`;
  }
}
