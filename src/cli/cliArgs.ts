import { parseArgs } from 'node:util';
import { isSummaryColumn, SUMMARY_COLUMNS, type SummaryColumn } from '../model/formatSummary';
import { UserError } from '../model/userError';
import { BACKEND_NAMES, type BackendName } from '../protocol/messages';

export const USAGE = `Usage: model-lens <command> [FILE] [options]

Commands:
  summary FILE [--batch N] [--depth N] [--columns LIST] [--col-width N] [--json]
                                                  the layer summary, as torchinfo prints it: by default
                                                  its default columns (output_size,num_params); --columns
                                                  takes torchinfo's col_names (${Object.keys(SUMMARY_COLUMNS).join(',')})
                                                  or all; --col-width sets each column's width (25)
  graph FILE [--batch N] [--depth N] [--json]     the computational graph (JSON), as torchview draws it
  check FILE [--limit N] [--json]                 the model doctor before training: the last layer's
                                                  output against the loss (logits or probabilities),
                                                  the inputs' scale against normalize; exit 1 on errors
  check SCRIPT [--backend B] [--json] [-- ARGS...]
                                                  the doctor for your own tfjs script: runs it (it is
                                                  code) up to its first training call, checks the model's
                                                  output against model.loss and the values given to
                                                  tf.losses/tf.metrics, and stops it before any update
  train FILE [--epochs N] [--batch-size N] [--limit N] [--test-limit N]
             [--backend auto|tensorflow|webgpu|wasm|cpu] [--threads N] [--gradient-every N] [--save DIR]
             [--save-on-stop] [--report run.html] [--dir DIR] [--keep-runs N] [--json]
             [--trace-step N [--trace-sample K]]
                                                  train the experiment: summary, progress, test accuracy;
                                                  --save DIR writes model.json + weights.bin when the run
                                                  completes (also when stopped with --save-on-stop);
                                                  --json prints one protocol message per line;
                                                  --report writes the whole run as one HTML file;
                                                  --trace-step N traces sample K (default 0) of step N
                                                  through forward, loss, backward and update;
                                                  --threads N runs wasm on N threads (default 0: all
                                                  cores but one, both on 2 cores);
                                                  the run is kept in .model-lens/runs (see runs)
  run SCRIPT [--json] [--report run.html] [--backend B] [--threads N] [--gradient-every N] [--dir DIR] [--keep-runs N] [-- ARGS...]
                                                  run your own tfjs script (.ts/.js/.mjs) unchanged, as node
                                                  would (cwd, argv, env, exit code), and record its models,
                                                  fit's batches and epochs and the gradient flow; --json:
                                                  one message a line, the script's output as log messages;
                                                  the run is kept in .model-lens/runs as train's are
  schedule 'SPEC-JSON' --epochs E --steps-per-epoch M --base-lr LR [--json]
                                                  the learning rate of every step of a schedule
  runs [list|show RUN|compare RUN RUN...|rm RUN...|export RUN... --tensorboard DIR] [--dir DIR] [--json]
                                                  the runs kept in .model-lens/runs (every train and run is one)
  report RUN... -o FILE.html [--dir DIR]          a recorded run (or several) as one HTML file

FILE is an experiment file (.ts/.js whose default export has model()) or, for summary and graph,
a tfjs/Keras model.json or a script: it runs up to its first training call, as check runs it, and
the model that call trains is shown. RUN is a run folder's name, a unique prefix of one, or its
path. Runs live in .model-lens/runs of the experiment's project (the nearest folder up with
.model-lens/, package.json or .git); --dir names another folder of runs (train, run: where to keep
this one, with --keep-runs N keeping only the last N runs of the file). summary, graph and train
take --build-timeout SECONDS (default 60): how long building the model (model(), loadModel, a
model.json) may take, and an experiment's data() (until a tf.data.Dataset's first element).`;

export const SEE_HELP = 'Run `model-lens --help` for the commands and options.';

export interface CliArgs {
  command: string;
  /** FILE, or the schedule's JSON spec. */
  target: string;
  batch?: number;
  depth?: number;
  json: boolean;
  epochs?: number;
  batchSize?: number;
  limit?: number;
  testLimit?: number;
  backend?: 'auto' | BackendName;
  threads?: number;
  gradientEvery?: number;
  save?: string;
  saveOnStop: boolean;
  report?: string;
  stepsPerEpoch?: number;
  baseLr?: number;
  /** The positionals after the command (runs: the subcommand and RUNs; report: RUNs). */
  positionals: string[];
  dir?: string;
  output?: string;
  tensorboard?: string;
  keepRuns?: number;
  /** Seconds building the model may take (summary, graph, train). */
  buildTimeout?: number;
  /** summary: torchinfo's col_names to print. */
  columns?: SummaryColumn[];
  colWidth?: number;
  traceStep?: number;
  traceSample?: number;
}

function columnsOption(value: string | undefined): SummaryColumn[] | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === 'all') return Object.keys(SUMMARY_COLUMNS) as SummaryColumn[];
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = names.find((n) => !isSummaryColumn(n));
  if (unknown !== undefined || !names.length) {
    throw new UserError(`--columns: unknown column "${unknown ?? value}".`, null, `Use a comma-separated list of ${Object.keys(SUMMARY_COLUMNS).join(', ')}, or all.`);
  }
  return names as SummaryColumn[];
}

/** Commands that need no FILE (runs lists by default). */
const WITHOUT_TARGET: ReadonlySet<string> = new Set(['runs']);

function integerOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UserError(`--${name} must be an integer ≥ ${min}, got "${value}".`, null, SEE_HELP);
  return n;
}

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UserError(`--${name} must be a positive number, got "${value}".`, null, SEE_HELP);
  return n;
}

const BACKENDS = ['auto', ...BACKEND_NAMES] as const;

/** What `run` takes: a script decides its own training, so train's options would be silently ignored; they are refused. */
const RUN_OPTIONS: readonly string[] = ['json', 'report', 'backend', 'threads', 'gradient-every', 'dir', 'keep-runs', 'help'];

function checkRunOptions(given: readonly string[]): void {
  const other = given.find((name) => !RUN_OPTIONS.includes(name));
  if (other === undefined) return;
  const takes = RUN_OPTIONS.filter((name) => name !== 'help').map((name) => `--${name}`).join(', ');
  throw new UserError(`run does not take --${other}: a script trains as its own code says (run takes ${takes}).`, null,
    `Arguments for the script go after \`--\`: model-lens run SCRIPT -- --${other} …`);
}

export function parseCliArgs(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      tokens: true,
      options: {
        batch: { type: 'string' },
        depth: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        limit: { type: 'string' },
        'test-limit': { type: 'string' },
        backend: { type: 'string' },
        'gradient-every': { type: 'string' },
        threads: { type: 'string' },
        save: { type: 'string' },
        'save-on-stop': { type: 'boolean', default: false },
        report: { type: 'string' },
        'steps-per-epoch': { type: 'string' },
        'base-lr': { type: 'string' },
        dir: { type: 'string' },
        output: { type: 'string', short: 'o' },
        tensorboard: { type: 'string' },
        'keep-runs': { type: 'string' },
        'build-timeout': { type: 'string' },
        columns: { type: 'string' },
        'col-width': { type: 'string' },
        'trace-step': { type: 'string' },
        'trace-sample': { type: 'string' },
      },
    });
  } catch (e) {
    throw new UserError((e as Error).message, null, SEE_HELP);
  }
  const v = parsed.values;
  if (v.help) return { command: 'help', target: '', json: false, positionals: [], saveOnStop: false };
  const [command, target = ''] = parsed.positionals;
  if (!command) throw new UserError('no command given.', null, SEE_HELP);
  if (!target && !WITHOUT_TARGET.has(command)) {
    throw new UserError(`${command}: no ${command === 'schedule' ? 'SPEC-JSON' : command === 'report' ? 'RUN' : 'FILE'} given.`, null, SEE_HELP);
  }
  if (v.backend !== undefined && !(BACKENDS as readonly string[]).includes(v.backend)) {
    throw new UserError(`--backend must be one of ${BACKENDS.join(', ')}, got "${v.backend}".`, null, SEE_HELP);
  }
  if (command === 'run') checkRunOptions(parsed.tokens.flatMap((t) => (t.kind === 'option' ? [t.name] : [])));
  return {
    command,
    target,
    batch: integerOption('batch', v.batch, 1),
    depth: integerOption('depth', v.depth, 0),
    json: v.json ?? false,
    epochs: integerOption('epochs', v.epochs, 1),
    batchSize: integerOption('batch-size', v['batch-size'], 1),
    limit: integerOption('limit', v.limit, 1),
    testLimit: integerOption('test-limit', v['test-limit'], 1),
    backend: v.backend as CliArgs['backend'],
    threads: integerOption('threads', v.threads, 0),
    gradientEvery: integerOption('gradient-every', v['gradient-every'], 1),
    save: v.save,
    saveOnStop: v['save-on-stop'] ?? false,
    report: v.report,
    stepsPerEpoch: integerOption('steps-per-epoch', v['steps-per-epoch'], 1),
    baseLr: numberOption('base-lr', v['base-lr']),
    positionals: parsed.positionals.slice(1),
    dir: v.dir,
    output: v.output,
    tensorboard: v.tensorboard,
    keepRuns: integerOption('keep-runs', v['keep-runs'], 1),
    buildTimeout: numberOption('build-timeout', v['build-timeout']),
    columns: columnsOption(v.columns),
    colWidth: integerOption('col-width', v['col-width'], 1),
    traceStep: integerOption('trace-step', v['trace-step'], 1),
    traceSample: integerOption('trace-sample', v['trace-sample'], 0),
  };
}
