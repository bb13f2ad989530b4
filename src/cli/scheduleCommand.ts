import { UserError } from '../model/userError';
import type { ScheduleSpec } from '../protocol/experimentSpec';
import { plannedLearningRates } from '../trainer/lrSchedule';
import { SEE_HELP, type CliArgs } from './cliArgs';

/** `model-lens schedule SPEC --epochs E --steps-per-epoch M --base-lr LR`: every step's learning rate. */
export function scheduleCommand(args: CliArgs): number {
  let spec: ScheduleSpec;
  try {
    spec = JSON.parse(args.target) as ScheduleSpec;
  } catch (e) {
    throw new UserError(`the schedule is not valid JSON: ${(e as Error).message}`, null,
      `Quote it for the shell, e.g. '{"type":"cosine","tMax":5}'.`);
  }
  if (!spec || typeof spec !== 'object' || typeof spec.type !== 'string') {
    throw new UserError('the schedule must be a JSON object with a "type".', null, SEE_HELP);
  }
  const missing = (['epochs', 'stepsPerEpoch', 'baseLr'] as const).filter((k) => args[k] === undefined);
  if (missing.length) {
    const flags = { epochs: '--epochs', stepsPerEpoch: '--steps-per-epoch', baseLr: '--base-lr' };
    throw new UserError(`schedule needs ${missing.map((k) => flags[k]).join(', ')}.`, null, SEE_HELP);
  }
  const lrs = plannedLearningRates(spec, { epochs: args.epochs!, stepsPerEpoch: args.stepsPerEpoch!, baseLr: args.baseLr! });
  if (args.json) process.stdout.write(`${JSON.stringify(lrs)}\n`);
  else lrs.forEach((lr, i) => process.stdout.write(`${i + 1}\t${lr}\n`));
  return 0;
}
