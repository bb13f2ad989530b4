// A schedule from its spec: the type picks the definition (one family per file), whose reader checks
// every field; a mistake is a ScheduleConfigError that names the field and says what to write.
import { cosine, cosineWarmRestarts } from './cosineAnnealing';
import { cyclic } from './cyclic';
import { oneCycle } from './oneCycle';
import { plateau } from './plateau';
import { Constant, type LrSchedule, type ScheduleContext, type ScheduleSpec, type ScheduleSpecInput } from './schedule';
import { describeValue, ScheduleConfigError } from './scheduleConfigError';
import { SpecReader, type ScheduleDefinition } from './specReader';
import { exponential, step } from './stepDecay';

const none: ScheduleDefinition = {
  torchClass: 'a constant learning rate',
  fields: {},
  example: `{ type: 'none' }`,
  create: (_r, ctx) => new Constant(ctx.baseLr),
};

/** Every schedule type, by the name a spec's `type` gives. */
const SCHEDULES = { none, step, exponential, cosine, cosineWarmRestarts, oneCycle, cyclic, plateau } satisfies Record<string, ScheduleDefinition>;
export type ScheduleType = keyof typeof SCHEDULES;
export const SCHEDULE_TYPES = Object.keys(SCHEDULES) as ScheduleType[];

/** The PyTorch class each type reproduces. */
export const torchClassOf = (type: ScheduleType): string => SCHEDULES[type].torchClass;

export interface ScheduleOptions {
  /** Where the spec sits in the caller's settings, for hints (`Fix <specPath>.<field>`); default `schedule`. */
  specPath?: string;
}

/** The schedule a spec describes (no spec: the base learning rate throughout). Throws ScheduleConfigError. */
export function createSchedule(input: ScheduleSpecInput | undefined, ctx: ScheduleContext, options: ScheduleOptions = {}): LrSchedule {
  checkContext(ctx);
  const spec = input as ScheduleSpec | undefined; // read as plain data: every field is checked below
  if (spec === undefined || spec === null) return new Constant(ctx.baseLr);
  if (typeof spec !== 'object' || Array.isArray(spec)) {
    throw new ScheduleConfigError(
      `schedule must be an object with a "type", got ${describeValue(spec)}`,
      `For example schedule: ${step.example}. Types: ${SCHEDULE_TYPES.join(', ')}.`,
    );
  }
  const specPath = options.specPath ?? 'schedule';
  const type = spec.type;
  if (typeof type !== 'string' || !Object.hasOwn(SCHEDULES, type)) {
    const guess = typeof type === 'string' ? guessType(type) : undefined;
    throw new ScheduleConfigError(
      type === undefined ? 'schedule: "type" is missing' : `unknown schedule type ${describeValue(type)}`,
      (guess ? `Did you mean "${guess}" (${guess === 'none' ? '' : 'PyTorch '}${torchClassOf(guess)})? ` : '') +
        `Set ${specPath}.type to one of: ${SCHEDULE_TYPES.join(', ')}.`,
    );
  }
  const definition = SCHEDULES[type as ScheduleType];
  const reader = new SpecReader(type, definition, spec, specPath);
  reader.rejectUnknownFields();
  return definition.create(reader, ctx);
}

/** Learning rate of every optimizer step in order (epochs × stepsPerEpoch values); throws for plateau (it needs losses). */
export function plannedLearningRates(spec: ScheduleSpecInput | undefined, ctx: ScheduleContext, options: ScheduleOptions = {}): number[] {
  const schedule = createSchedule(spec, ctx, options);
  if (schedule.monitor !== null) {
    throw new Error(
      `plannedLearningRates: the "plateau" schedule depends on the ${schedule.monitor} of each epoch, ` +
        'so its learning rates cannot be planned ahead; drive createSchedule(...).stepEpoch(loss) instead',
    );
  }
  const lrs: number[] = [];
  for (let epoch = 0; epoch < ctx.epochs; epoch++) {
    for (let batch = 0; batch < ctx.stepsPerEpoch; batch++) {
      lrs.push(schedule.lr());
      schedule.stepBatch();
    }
    schedule.stepEpoch();
  }
  return lrs;
}

/** The context usually comes from the user too (a learning rate, epochs), so its mistakes are ScheduleConfigErrors. */
function checkContext(ctx: ScheduleContext): void {
  const bad = (what: string, must: string, got: number, hint: string): never => {
    throw new ScheduleConfigError(`schedule: ${what} must be ${must}, got ${describeValue(got)}`, hint);
  };
  if (typeof ctx.baseLr !== 'number' || !Number.isFinite(ctx.baseLr) || ctx.baseLr < 0) {
    bad('the learning rate', 'a number ≥ 0', ctx.baseLr, "Set the optimizer's learning rate, e.g. 0.01.");
  }
  if (!Number.isInteger(ctx.epochs) || ctx.epochs < 0) {
    bad('epochs', 'a non-negative integer', ctx.epochs, 'Set epochs to a whole number of epochs.');
  }
  if (!Number.isInteger(ctx.stepsPerEpoch) || ctx.stepsPerEpoch < 0) {
    bad('the number of steps per epoch', 'a non-negative integer', ctx.stepsPerEpoch, 'It is ceil(training examples / batch size).');
  }
}

/** The schedule type meant by a misspelt one or a PyTorch class name (`StepLR`, `one_cycle`, `ReduceLROnPlateau`). */
function guessType(type: string): ScheduleType | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const aliases = new Map<string, ScheduleType>([
    ['constant', 'none'],
    ['cosineannealing', 'cosine'],
    ['sgdr', 'cosineWarmRestarts'],
    ['warmrestarts', 'cosineWarmRestarts'],
    ['reduceonplateau', 'plateau'],
  ]);
  for (const t of SCHEDULE_TYPES) {
    aliases.set(norm(t), t);
    if (t !== 'none') {
      aliases.set(norm(torchClassOf(t)), t);
      aliases.set(norm(torchClassOf(t)).replace(/lr$/, ''), t);
    }
  }
  return aliases.get(norm(type));
}
