import { formatSummary } from '../model/formatSummary';
import type { ModelMessage, TrainRequest } from '../protocol/messages';
import type { CliArgs } from './cliArgs';
import { runTrainerChild } from './trainerChild';
import { errorLines } from './trainingPrinter';

/** The graph's default depth in the CLI (torchview's default). */
const GRAPH_DEPTH = 3;

/**
 * `model-lens summary|graph FILE`: the model built in the trainer process (under the build timeout),
 * printed as torchinfo's table or JSON, or as the graph's JSON.
 */
export async function inspectCommand(args: CliArgs): Promise<number> {
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
  if (graph) process.stdout.write(`${JSON.stringify(built.graph, null, args.json ? 2 : 0)}\n`);
  else process.stdout.write(args.json ? `${JSON.stringify(built.summary, null, 2)}\n` : `${formatSummary(built.summary, { columns: args.columns, colWidth: args.colWidth })}\n`);
  return 0;
}
