// What a chart of the learning rate says about its schedule: whether the rate steps once per epoch
// or after every batch (as PyTorch's schedulers do), and where reduce-on-plateau cut it. Pure.
import type { ScheduleSpec } from './experimentSpec';
import type { BatchSeries } from './runState';

/** How often each schedule changes the rate (a new schedule type must be placed here to compile). */
const STEPS_PER: Record<ScheduleSpec['type'], 'epoch' | 'batch' | null> = {
  none: null, step: 'epoch', exponential: 'epoch', cosine: 'epoch', cosineWarmRestarts: 'epoch', plateau: 'epoch',
  oneCycle: 'batch', cyclic: 'batch',
};

/** `epoch` or `batch`; null for a constant rate (no schedule). */
export function scheduleStepsPer(schedule: ScheduleSpec | null): 'epoch' | 'batch' | null {
  return schedule ? STEPS_PER[schedule.type] ?? null : null;
}

/** The learning-rate chart's words for it: `steps per epoch (cosine)`, `constant`. */
export function scheduleStepsText(schedule: ScheduleSpec | null): string {
  const per = scheduleStepsPer(schedule);
  if (!schedule || per === null) return 'constant rate';
  return `${schedule.type}: the rate steps once per ${per === 'epoch' ? 'epoch' : 'batch'}`;
}

export interface RateCut {
  /** The first step that trained at the lower rate. */
  step: number;
  /** The epoch after which the cut was made. */
  afterEpoch: number;
  from: number;
  to: number;
}

/**
 * Where reduce-on-plateau lowered the rate: the epochs whose first batch trained at a lower rate
 * than the batch before. Only a plateau schedule cuts on its own; others give none.
 */
export function plateauCuts(schedule: ScheduleSpec | null, b: Pick<BatchSeries, 'step' | 'epoch' | 'lr'>): RateCut[] {
  if (schedule?.type !== 'plateau') return [];
  const cuts: RateCut[] = [];
  for (let i = 1; i < b.step.length; i++) {
    if (b.epoch[i] !== b.epoch[i - 1] && b.lr[i] < b.lr[i - 1]) cuts.push({ step: b.step[i], afterEpoch: b.epoch[i - 1], from: b.lr[i - 1], to: b.lr[i] });
  }
  return cuts;
}
