// `model-lens check SCRIPT`: a user's own tfjs script is code, so the doctor runs it — in the trainer
// process, as `run` does — up to its first training call (fit, fitDataset, trainOnBatch, minimize),
// lets that call compute its first gradients, and stops it before any update. What the doctor found
// by then is printed as check prints an experiment's findings.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DiagnosisMessage, DoneMessage, ErrorMessage, ModelMessage, TrainerMessage, TrainRequest } from '../protocol/messages';
import type { SourceLocation } from '../protocol/modelInfo';
import { recognizeExperiment } from '../source/experimentExport';
import { TrainerProcess } from '../trainerProcess/trainerProcess';
import type { CliArgs } from './cliArgs';
import { formatDiagnoses } from './diagnosisLines';
import { CTRL_C_GRACE_MS } from './trainerChild';
import { errorLines } from './trainingPrinter';

const SCRIPT_FILE = /\.(ts|mts|cts|js|mjs|cjs)$/i;
/** An export written in a file the parser could not read through (`export {}` only makes a module). */
const EXPORT_WRITTEN = /\bexport\b(?!\s*\{\s*\})|\bmodule\.exports\b|\bexports\.\w/;

/**
 * Whether `file` is a script rather than an experiment (whose default export has model()) or a
 * model.json: it is no experiment and exports nothing. A file that exports something else (an
 * experiment missing its default export) is left to the experiment loader, which says what is
 * missing; so is a file with syntax errors and an export written in it, the loader naming the line.
 * A script with syntax errors is run, and its run names the error's line.
 */
export function isScriptFile(file: string): boolean {
  if (!SCRIPT_FILE.test(file)) return false;
  try {
    const text = fs.readFileSync(file, 'utf8');
    const recognised = recognizeExperiment(text, file);
    if (recognised.experiment || recognised.exports) return false;
    return recognised.certain || !EXPORT_WRITTEN.test(text);
  } catch {
    return false; // unreadable: the experiment loader says why
  }
}

export interface ScriptCheck {
  diagnoses: DiagnosisMessage[];
  /** The model messages sent (an inspection sends one: the model the first training call trains). */
  models: ModelMessage[];
  error: ErrorMessage | null;
  done: DoneMessage | null;
}

export async function checkScript(args: CliArgs): Promise<number> {
  const file = path.resolve(args.target);
  const result = await runUpToTraining(args, file);
  const { diagnoses, error, done } = result;
  const checked = done?.reason === 'inspected';
  const errors = diagnoses.filter((d) => d.severity === 'error').length;
  if (args.json) {
    process.stdout.write(`${JSON.stringify({
      file, script: true, ranUpTo: checked ? (done.checkedUpTo ?? null) : null, trained: false,
      errors, warnings: diagnoses.length - errors, diagnoses, scriptError: error,
    }, null, 2)}\n`);
  } else {
    process.stdout.write(`${ranLine(file, checked, done?.checkedUpTo ?? null, error)}\n`);
    if (checked || diagnoses.length) process.stdout.write(`${formatDiagnoses(diagnoses, file, 'the output against the loss, the values given to the loss functions')}\n`);
    if (error) process.stderr.write(errorLines(error));
  }
  return errors > 0 || error || !done || done.reason === 'error' ? 1 : 0;
}

function ranLine(file: string, checked: boolean, at: SourceLocation | null, error: ErrorMessage | null): string {
  if (checked) {
    const where = at ? ` (${at.file}:${at.line}:${at.column})` : '';
    return `${file}: the script ran up to its first training call${where}, which computed its first gradients; ` +
      'it was stopped there, before any update.';
  }
  if (error) return `${file}: the script ended with an error before its first training update.`;
  return `${file}: the script ended without a training call (no fit, fitDataset, trainOnBatch or optimizer.minimize ran), ` +
    'so its model and loss were not checked.';
}

/**
 * Runs the script in the trainer process until it is checked (stopped before its first update) or
 * ends; `inspect` (summary, graph) asks for the trained model's graph and summary there.
 */
export function runUpToTraining(args: CliArgs, file: string, inspect?: Pick<TrainRequest, 'batchSize' | 'depth'>): Promise<ScriptCheck> {
  const found: ScriptCheck = { diagnoses: [], models: [], error: null, done: null };
  const trainer = new TrainerProcess({
    trainerPath: path.join(__dirname, 'trainer.js'),
    request: {
      file, backend: args.backend, threads: args.threads, script: { args: args.positionals.slice(1), check: true },
      ...(inspect ? { inspect: true, ...inspect } : {}),
    },
    script: true,
    stopGraceMs: CTRL_C_GRACE_MS,
    // The script's own output goes to stderr: stdout holds the check's report (or the summary, the graph) alone.
    onOutput: (_stream, text) => process.stderr.write(text),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const onSigint = () => trainer.stop();
  process.on('SIGINT', onSigint);
  return new Promise((resolve) => {
    trainer.on('message', (m: TrainerMessage) => {
      if (m.type === 'diagnosis') found.diagnoses.push(m);
      if (m.type === 'model') found.models.push(m);
      if (m.type === 'error') found.error = m;
      if (m.type === 'done') found.done = m;
    });
    trainer.on('exit', () => {
      process.off('SIGINT', onSigint);
      resolve(found);
    });
    trainer.start();
  });
}
