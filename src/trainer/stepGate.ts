// Pause, resume, step N and trace-then-pause for the training loop: the loop asks the gate before
// every step and tells it after. A paused trainer waits on a promise (no timer, no busy loop), so
// nothing in the process times it out; Stop wakes it.
import type { TrainerCommand } from '../protocol/messages';
import type { TraceRequest } from './stepTrace';

export type GateCommand = Extract<TrainerCommand, { type: 'pause' | 'resume' | 'step' | 'trace' }>;

export class StepGate {
  private pauseRequested = false;
  private stepsLeft: number | null = null;
  private wake: (() => void) | null = null;
  /** A trace the user asked for: its step (null: the next) and sample; the gate pauses after it. */
  private wanted: { step: number | null; sample: number } | null = null;
  /** The traced step the loop runs now, after which the gate pauses. */
  private pauseAfterStep: number | null = null;

  /** Applies a command from the host. */
  command(c: GateCommand): void {
    switch (c.type) {
      case 'pause':
        this.pauseRequested = true;
        this.stepsLeft = null;
        break;
      case 'resume':
        this.pauseRequested = false;
        this.stepsLeft = null;
        this.release();
        break;
      case 'step':
        this.pauseRequested = false;
        this.stepsLeft = c.count;
        this.release();
        break;
      case 'trace':
        this.wanted = { step: c.step, sample: c.sample };
        this.pauseRequested = false;
        this.stepsLeft = null;
        this.release();
        break;
    }
  }

  /** Wakes a waiting loop (a command, or Stop). */
  release(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Whether the loop must wait before its next step. */
  shouldWait(): boolean {
    return this.pauseRequested;
  }

  /** Resolves when a command or Stop releases the loop. */
  waitForRelease(): Promise<void> {
    return new Promise((resolve) => { this.wake = resolve; });
  }

  /** The trace the user asked for, if `step` is its step (the next step when it named none). */
  traceFor(step: number): TraceRequest | null {
    if (!this.wanted || (this.wanted.step !== null && this.wanted.step !== step)) return null;
    const request = { step, sample: this.wanted.sample };
    this.wanted = null;
    this.pauseAfterStep = step;
    return request;
  }

  /** After `step` ran: counts down `step N`, pauses after a traced step. */
  stepDone(step: number): void {
    if (this.pauseAfterStep === step) {
      this.pauseAfterStep = null;
      this.pauseRequested = true;
    }
    if (this.stepsLeft !== null && --this.stepsLeft <= 0) {
      this.stepsLeft = null;
      this.pauseRequested = true;
    }
  }
}
