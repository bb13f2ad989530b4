import * as path from 'node:path';
import { formatSummary } from '../model/formatSummary';
import type { ModelMessage, TrainRequest } from '../protocol/messages';
import type { CliArgs } from './cliArgs';
import { isScriptFile, runUpToTraining } from './checkScript';
import { runTrainerChild } from './trainerChild';
import { errorLines } from './trainingPrinter';

/** The graph's default depth in the CLI (torchview's default). */
const GRAPH_DEPTH = 3;

/**
 * `model-lens summary|graph FILE`: the model built in the trainer process (under the build timeout),
 * printed as torchinfo's table or JSON, or as the graph's JSON. A script's model is the one its first
 * training call trains: the script runs up to that call, as `check` runs it, and is stopped there.
 */
export async function inspectCommand(args: CliArgs): Promise<number> {
  if (isScriptFile(path.resolve(args.target))) return inspectScript(args);
  const graph = args.command === 'graph';
  const request: TrainRequest = {
    file: args.target, inspect: true, backend: args.backend, batchSize: args.batch,
    depth: args.depth ?? (graph ? GRAPH_DEPTH : undefined),
    // Timing costs a few passes: only for the column that shows it.
    ...(!graph && args.columns?.includes('fwd_time') ? { timeLayers: true } : {}),
  };
  let model: ModelMessage | null = null;
  const done = await runTrainerChild(request, {
    buildTimeoutSec: args.buildTimeout,
    onInterrupt: 'kill',
    onMessage: (m) => {
      if (m.type === 'model') model = m;
      else if (m.type === 'error') process.stderr.write(errorLines(m));
      else if (m.type === 'log') process.stderr.write(`${m.level === 'warn' ? 'warning: ' : ''}${m.message}\n`);
    },
  });
  const built = model as ModelMessage | null;
  if (done.reason !== 'inspected' || !built) return 1;
  printModel(args, built);
  return 0;
}

function printModel(args: CliArgs, built: ModelMessage, untimed?: string): void {
  if (args.command === 'graph') process.stdout.write(`${JSON.stringify(built.graph, null, args.json ? 2 : 0)}\n`);
  else process.stdout.write(args.json ? `${JSON.stringify(built.summary, null, 2)}\n` : `${formatSummary(built.summary, { columns: args.columns, colWidth: args.colWidth, untimed })}\n`);
}

/** `summary|graph SCRIPT`: the script is code, so it runs (in the trainer process, as `check` runs it) up to its first training call. */
async function inspectScript(args: CliArgs): Promise<number> {
  const file = path.resolve(args.target);
  const graph = args.command === 'graph';
  const { models, error, done } = await runUpToTraining(args, file, { batchSize: args.batch, depth: args.depth ?? (graph ? GRAPH_DEPTH : undefined) });
  if (error) process.stderr.write(errorLines(error));
  const [built] = done?.reason === 'inspected' ? models : [];
  if (!built) {
    if (error) return 1;
    const why = done?.reason === 'inspected'
      ? 'the script\'s first training call updates no tf.LayersModel (only variables of its own)'
      : 'the script ended without a training call (no fit, fitDataset, trainOnBatch or optimizer.minimize ran)';
    process.stderr.write(`model-lens: error: ${file}: ${why}, so there is no trained model to show.\n` +
      `  ${args.command} shows the model a script's first training call trains; \`model-lens run SCRIPT\` runs the whole script.\n`);
    return 1;
  }
  const at = done?.checkedUpTo;
  process.stderr.write(`model-lens: the script ran up to its first training call${at ? ` (${at.file}:${at.line}:${at.column})` : ''} ` +
    `and was stopped there, before any update; ${built.name} is the model it trains.\n`);
  printModel(args, built, 'a script is stopped inside its first training call, where its layers cannot be timed');
  return 0;
}
