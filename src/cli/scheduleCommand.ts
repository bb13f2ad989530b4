import { UserError } from '../model/userError';
import type { ScheduleSpec } from '../protocol/experimentSpec';
import { plannedStretches, type LrStretch } from '../trainer/plannedLr';
import { SEE_HELP, type CliArgs } from './cliArgs';

/**
 * `model-lens schedule SPEC --epochs E --steps-per-epoch M --base-lr LR`: every step's learning rate,
 * streamed as it is computed, so a run of any length prints in constant memory and `| head` ends it.
 */
export async function scheduleCommand(args: CliArgs): Promise<number> {
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
  const stretches = plannedStretches(spec, { epochs: args.epochs!, stepsPerEpoch: args.stepsPerEpoch!, baseLr: args.baseLr! });
  await streamOut(args.json ? jsonArray(stretches) : textLines(stretches));
  return 0;
}

/** `step<TAB>rate` lines, steps from 1. */
function* textLines(stretches: Iterable<LrStretch>): Generator<string> {
  for (const { first, count, lr } of stretches) {
    const rest = `\t${lr}\n`;
    for (let i = 0; i < count; i++) yield `${first + i + 1}${rest}`;
  }
}

/** One JSON array of the rates, as JSON.stringify writes it. */
function* jsonArray(stretches: Iterable<LrStretch>): Generator<string> {
  let separator = '[';
  for (const { count, lr } of stretches) {
    const value = JSON.stringify(lr);
    for (let i = 0; i < count; i++) {
      yield `${separator}${value}`;
      separator = ',';
    }
  }
  yield separator === '[' ? '[]\n' : ']\n';
}

const CHUNK_CHARS = 1 << 16;

/** Writes the pieces to stdout in chunks as they come, waiting for a slow reader; stops quietly when it goes away (`| head`). */
async function streamOut(pieces: Iterable<string>, out: NodeJS.WriteStream = process.stdout): Promise<void> {
  let failure: NodeJS.ErrnoException | null = null;
  const onError = (e: NodeJS.ErrnoException) => { failure ??= e; };
  out.on('error', onError);
  const settled = () => new Promise<void>((resolve) => {
    const done = () => { out.off('drain', done); out.off('error', done); resolve(); };
    out.on('drain', done);
    out.on('error', done);
  });
  try {
    let chunk = '';
    for (const piece of pieces) {
      chunk += piece;
      if (chunk.length < CHUNK_CHARS) continue;
      if (!out.write(chunk)) await settled();
      chunk = '';
      await new Promise<void>((resolve) => setImmediate(resolve)); // lets a closed pipe's error in
      if (failure) break;
    }
    if (!failure && chunk) out.write(chunk);
  } finally {
    out.off('error', onError);
  }
  const code = (failure as NodeJS.ErrnoException | null)?.code;
  if (failure && code !== 'EPIPE' && code !== 'ERR_STREAM_DESTROYED') throw failure;
}
