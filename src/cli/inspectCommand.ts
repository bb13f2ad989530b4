import { buildModelGraph } from '../model/modelGraph';
import { computeSummary } from '../model/modelSummary';
import { formatSummary } from '../model/formatSummary';
import { loadModelFile } from '../model/loadExperiment';
import { initInspectionRuntime } from '../model/tfRuntime';
import type { CliArgs } from './cliArgs';

/** `model-lens summary|graph FILE`: the model's layer summary (torchinfo) or its graph (JSON). */
export async function inspectCommand(args: CliArgs): Promise<number> {
  await initInspectionRuntime();
  const loaded = await loadModelFile(args.target);
  const batchSize = args.batch ?? loaded.settings.training?.batchSize ?? 1;
  if (args.command === 'summary') {
    const summary = computeSummary(loaded.model, { batchSize, depth: args.depth, locate: loaded.locate });
    process.stdout.write(args.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatSummary(summary)}\n`);
  } else {
    const graph = buildModelGraph(loaded.model, { depth: args.depth ?? 3, batchSize: args.batch ?? null, locate: loaded.locate });
    process.stdout.write(`${JSON.stringify(graph, null, args.json ? 2 : 0)}\n`);
  }
  return 0;
}
