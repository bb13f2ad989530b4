// StepLR and ExponentialLR, in PyTorch's recursive ("chainable") form so the numbers match PyTorch's
// to the last bits rather than only the closed form's.
import { PerEpoch } from './schedule';
import type { ScheduleDefinition } from './specReader';

/** StepLR. Closed form: lr = base * gamma ** floor(epoch / step_size). */
export class StepLR extends PerEpoch {
  constructor(base: number, private readonly stepSize: number, private readonly gamma: number) {
    super(base);
  }
  protected next(): number {
    return this.lastEpoch % this.stepSize !== 0 ? this.current : this.current * this.gamma;
  }
}

/** ExponentialLR. Closed form: lr = base * gamma ** epoch. */
export class ExponentialLR extends PerEpoch {
  constructor(base: number, private readonly gamma: number) {
    super(base);
  }
  protected next(): number {
    return this.current * this.gamma;
  }
}

export const step: ScheduleDefinition = {
  torchClass: 'StepLR',
  fields: { stepSize: 'step_size', gamma: 'gamma' },
  example: `{ type: 'step', stepSize: 10, gamma: 0.1 }`,
  create: (r, ctx) => new StepLR(
    ctx.baseLr,
    r.int('stepSize', 1, undefined, 'the number of epochs between two decays'),
    r.positive('gamma', 0.1),
  ),
};

export const exponential: ScheduleDefinition = {
  torchClass: 'ExponentialLR',
  fields: { gamma: 'gamma' },
  example: `{ type: 'exponential', gamma: 0.95 }`,
  create: (r, ctx) => new ExponentialLR(ctx.baseLr, r.positive('gamma', undefined, 'the factor applied to the learning rate after every epoch')),
};
