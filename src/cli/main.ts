import { buildModelGraph } from '../model/modelGraph';
import { computeSummary } from '../model/modelSummary';
import { formatSummary } from '../model/formatSummary';
import { loadModelFile } from '../model/loadExperiment';
import { initInspectionRuntime } from '../model/tfRuntime';
import { UserError } from '../model/userError';
import { parseCliArgs, SEE_HELP, USAGE } from './cliArgs';
import { scheduleCommand } from './scheduleCommand';
import { trainCommand } from './trainCommand';

async function run(argv: string[]): Promise<number> {
  const args = parseCliArgs(argv);
  switch (args.command) {
    case 'summary':
    case 'graph': {
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
    case 'train':
      return trainCommand(args);
    case 'schedule':
      return scheduleCommand(args);
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    default:
      throw new UserError(`unknown command "${args.command}".`, null, SEE_HELP);
  }
}

run(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    if (e instanceof UserError) {
      process.stderr.write(`model-lens: error: ${e.format()}\n`);
    } else {
      const err = e instanceof Error ? e : new Error(String(e));
      process.stderr.write(`model-lens: internal error: ${err.message}\n` +
        (process.env.MODEL_LENS_DEBUG ? `${err.stack}\n` : '  (set MODEL_LENS_DEBUG=1 for the stack trace; please report it)\n'));
    }
    process.exitCode = 1;
  },
);
