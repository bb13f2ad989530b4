// The experiment's learning-rate schedule: PyTorch's schedules from @model-lens/torch-lr-schedules,
// their spec mistakes turned into UserErrors at `training.schedule` (reported with the experiment,
// never as a stack trace). The planned curve the model message carries is plannedLr.ts's.
import {
  createSchedule as createTorchSchedule, plannedLearningRates as plannedTorchRates, ScheduleConfigError, type LrSchedule,
  type ScheduleContext,
} from '@model-lens/torch-lr-schedules';
import { UserError } from '../model/userError';
import type { LooseScheduleSpec, ScheduleSpec } from '../protocol/experimentSpec';

export type { LrSchedule, ScheduleContext };

const SPEC_PATH = { specPath: 'training.schedule' };

function asUserError<T>(make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof ScheduleConfigError) throw new UserError(e.message, null, e.hint);
    throw e;
  }
}

export function createSchedule(spec: ScheduleSpec | LooseScheduleSpec | undefined, ctx: ScheduleContext): LrSchedule {
  return asUserError(() => createTorchSchedule(spec, ctx, SPEC_PATH));
}

/** Learning rate of every optimizer step in order; throws for plateau (it needs losses). */
export function plannedLearningRates(spec: ScheduleSpec | LooseScheduleSpec | undefined, ctx: ScheduleContext): number[] {
  return asUserError(() => plannedTorchRates(spec, ctx, SPEC_PATH));
}
