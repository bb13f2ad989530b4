// OneCycleLR, stepped per optimizer step.
import { PerBatch, type LrSchedule, type ScheduleContext } from './schedule';
import type { ScheduleDefinition, SpecReader } from './specReader';

interface Phase {
  endStep: number;
  startLr: number;
  endLr: number;
}

/**
 * OneCycleLR. Only the learning rate is scheduled: PyTorch's cycle_momentum (momentum / beta1
 * moving inversely to the learning rate) is not reproduced — the optimizer's momentum stays fixed.
 *
 * Beyond total_steps PyTorch raises a ValueError. We do the same, as a clear Error from stepBatch
 * (never silently keeping the final learning rate), and check up front that total_steps covers the
 * training run, so that only a wrong stepsPerEpoch can trigger it.
 */
export class OneCycleLR extends PerBatch {
  constructor(
    private readonly totalSteps: number,
    private readonly phases: Phase[],
    private readonly anneal: 'cos' | 'linear',
  ) {
    super();
  }
  override stepBatch(): void {
    if (this.step + 1 > this.totalSteps) {
      throw new Error(
        `oneCycle schedule: stepBatch called ${this.step + 1} times, but totalSteps is ${this.totalSteps} ` +
          '(PyTorch OneCycleLR raises here too): more optimizer steps were taken than epochs × stepsPerEpoch',
      );
    }
    super.stepBatch();
  }
  lr(): number {
    let start = 0;
    for (let i = 0; i < this.phases.length; i++) {
      const phase = this.phases[i];
      if (this.step <= phase.endStep || i === this.phases.length - 1) {
        const pct = (this.step - start) / (phase.endStep - start);
        return this.anneal === 'cos'
          ? phase.endLr + ((phase.startLr - phase.endLr) / 2.0) * (Math.cos(Math.PI * pct) + 1)
          : (phase.endLr - phase.startLr) * pct + phase.startLr;
      }
      start = phase.endStep;
    }
    throw new Error('unreachable: OneCycleLR has at least one phase');
  }
}

function createOneCycle(r: SpecReader, ctx: ScheduleContext): LrSchedule {
  const maxLr = r.positive('maxLr', undefined, 'the peak learning rate of the cycle');
  const planned = ctx.epochs * ctx.stepsPerEpoch;
  // PyTorch: total_steps = epochs * steps_per_epoch unless given (a run without steps needs no cycle).
  const totalSteps = r.int('totalSteps', 1, Math.max(planned, 1));
  if (totalSteps < planned) {
    r.fail(
      'totalSteps',
      `must cover the whole run of ${planned} optimizer steps (${ctx.epochs} epochs × ${ctx.stepsPerEpoch} steps)`,
      totalSteps,
      'PyTorch OneCycleLR raises once stepped past total_steps. Leave totalSteps out to use epochs × steps per epoch.',
    );
  }
  const pctStart = r.number('pctStart', { what: 'a number in [0, 1]', ok: (v) => v >= 0 && v <= 1 }, 0.3);
  const anneal = r.choice('anneal', ['cos', 'linear'] as const, 'cos');
  const divFactor = r.positive('divFactor', 25);
  const finalDivFactor = r.positive('finalDivFactor', 1e4);
  const threePhase = r.bool('threePhase', false);

  const initialLr = maxLr / divFactor;
  const minLr = initialLr / finalDivFactor;
  // PyTorch's phase end steps, float arithmetic kept exactly as written there.
  const phases: Phase[] = threePhase
    ? [
        { endStep: pctStart * totalSteps - 1, startLr: initialLr, endLr: maxLr },
        { endStep: 2 * pctStart * totalSteps - 2, startLr: maxLr, endLr: initialLr },
        { endStep: totalSteps - 1, startLr: initialLr, endLr: minLr },
      ]
    : [
        { endStep: pctStart * totalSteps - 1, startLr: initialLr, endLr: maxLr },
        { endStep: totalSteps - 1, startLr: maxLr, endLr: minLr },
      ];
  if (threePhase && pctStart > 0.5) {
    r.fail(
      'pctStart',
      'must be at most 0.5 with threePhase',
      pctStart,
      'With threePhase the rise and the fall back to the initial rate take pctStart of the steps each, ' +
        'so the final phase would start after the end; lower pctStart or drop threePhase.',
    );
  }
  // PyTorch divides by each phase's length (end_step - previous end_step); a zero length is its ZeroDivisionError.
  let start = 0;
  for (const [i, phase] of phases.entries()) {
    if (phase.endStep - start === 0) {
      r.fail(
        'pctStart',
        `leaves phase ${i + 1} of the cycle with no steps (pctStart × totalSteps = ${pctStart * totalSteps})`,
        pctStart,
        'PyTorch OneCycleLR would divide by zero here. Choose a pctStart with pctStart × totalSteps ≠ 1 (and < totalSteps).',
      );
    }
    start = phase.endStep;
  }
  return new OneCycleLR(totalSteps, phases, anneal);
}

export const oneCycle: ScheduleDefinition = {
  torchClass: 'OneCycleLR',
  fields: {
    maxLr: 'max_lr', totalSteps: 'total_steps', pctStart: 'pct_start', anneal: 'anneal_strategy',
    divFactor: 'div_factor', finalDivFactor: 'final_div_factor', threePhase: 'three_phase',
  },
  example: `{ type: 'oneCycle', maxLr: 0.01 }`,
  create: createOneCycle,
};
