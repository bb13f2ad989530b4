// How responsive the extension host stays while a run streams in (issue budget: event-loop delay
// p99 < 20 ms): the delay of a 10 ms timer, how busy the loop itself was (a late timer with an idle
// loop means the process was not given a core, not that something blocked it) and the garbage
// collector's pauses in the same time (the extension host's heap is shared with every extension).
import { monitorEventLoopDelay, performance, PerformanceObserver, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';

const RESOLUTION_MS = 10;

export class ResponsivenessProbe {
  private readonly delay: IntervalHistogram;
  private readonly busyAtStart: EventLoopUtilization;
  private readonly gc: PerformanceObserver | null;
  private gcCount = 0;
  private gcTotalMs = 0;
  private gcMaxMs = 0;

  constructor() {
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

  /** Stops measuring; one line for the output channel. */
  stop(): string {
    this.delay.disable();
    this.gc?.disconnect();
    // The histogram holds the time between timer ticks: the delay is what exceeds the resolution.
    const ms = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS).toFixed(1);
    const busy = performance.eventLoopUtilization(this.busyAtStart).utilization;
    const gc = this.gc ? `${this.gcCount} GC pauses, ${this.gcTotalMs.toFixed(0)} ms in all, the longest ${this.gcMaxMs.toFixed(1)} ms` : 'GC pauses not observable';
    return `event-loop delay during the run: p50 ${ms(this.delay.percentile(50))} ms, p99 ${ms(this.delay.percentile(99))} ms, ` +
      `max ${ms(this.delay.max)} ms; loop busy ${(100 * busy).toFixed(1)}% of the time; ${gc}`;
  }
}
