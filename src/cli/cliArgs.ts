import { parseArgs } from 'node:util';
import { UserError } from '../model/userError';

export const USAGE = `Usage: model-lens <command> FILE [options]

Commands:
  summary FILE [--batch N] [--depth N] [--json]   the layer summary, as torchinfo prints it
  graph FILE [--batch N] [--depth N] [--json]     the computational graph (JSON), as torchview draws it
  train FILE ...                                   train the experiment (not in this build yet)

FILE is an experiment file (.ts/.js whose default export has model()) or a tfjs/Keras model.json.`;

export const SEE_HELP = 'Run `model-lens --help` for the commands and options.';

export interface CliArgs {
  command: string;
  file: string;
  batch: number | undefined;
  depth: number | undefined;
  json: boolean;
}

function positiveInt(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UserError(`--${name} must be an integer ≥ ${min}, got "${value}".`);
  return n;
}

export function parseCliArgs(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        batch: { type: 'string' },
        depth: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UserError((e as Error).message, null, SEE_HELP);
  }
  const [command, file] = parsed.positionals;
  if (parsed.values.help) return { command: 'help', file: '', batch: undefined, depth: undefined, json: false };
  if (!command) throw new UserError('no command given.', null, SEE_HELP);
  if (!file) throw new UserError(`${command}: no FILE given.`, null, SEE_HELP);
  return {
    command,
    file,
    batch: positiveInt('batch', parsed.values.batch, 1),
    depth: positiveInt('depth', parsed.values.depth, 0),
    json: parsed.values.json ?? false,
  };
}
