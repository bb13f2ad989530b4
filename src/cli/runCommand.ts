// `model-lens run SCRIPT [-- ARGS]`: the user's own tfjs script in the trainer process, unchanged
// (src/trainer/script), its output passed through and Model Lens's findings beside it: the summary
// of each model it trains, warnings and errors on stderr; with --json every message a line on stdout
// and the script's own output as `log` messages naming their stream. Exits with the script's code.
import * as path from 'node:path';
import { formatSummary } from '../model/formatSummary';
import type { TrainerMessage, TrainRequest } from '../protocol/messages';
import { TrainerProcess } from '../trainerProcess/trainerProcess';
import type { CliArgs } from './cliArgs';
import { writeHtmlReport } from './htmlReport';
import { recordRun } from './runRecording';
import { CTRL_C_GRACE_MS } from './trainerChild';
import { errorLines } from './trainingPrinter';

export async function runCommand(args: CliArgs): Promise<number> {
  const request: TrainRequest = {
    file: path.resolve(args.target), backend: args.backend, threads: args.threads, gradientEvery: args.gradientEvery, script: { args: args.positionals.slice(1) },
  };
  const print = args.json ? (m: TrainerMessage) => process.stdout.write(`${JSON.stringify(m)}\n`) : humanPrinter();
  // Kept like an experiment's run (.model-lens/runs, or --dir): the script's copy, its messages, summary and figures.
  const { show, runDir } = recordRun(args, request, print);
  if (runDir) request.runDir = runDir;
  const recorded: TrainerMessage[] = [];
  let failed = false;
  // `ready` comes once the script is found and a backend is up: before it, nothing ran to report.
  let started = false;
  const trainer = new TrainerProcess({
    trainerPath: path.join(__dirname, 'trainer.js'),
    request,
    script: true,
    stopGraceMs: CTRL_C_GRACE_MS,
    onOutput: (stream, text) => {
      if (args.json) print({ type: 'log', level: stream === 'stderr' ? 'warn' : 'info', message: text, stream });
      else (stream === 'stdout' ? process.stdout : process.stderr).write(text);
    },
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const onSigint = () => trainer.stop();
  process.on('SIGINT', onSigint);
  await new Promise<void>((resolve) => {
    trainer.on('message', (m, source) => {
      if (args.report) recorded.push(m);
      if (m.type === 'error') failed = true;
      if (m.type === 'ready') started = true;
      // A trainer that died leaves its run unfinished (recorded as interrupted); why is only printed.
      (source === 'crash' ? print : show)(m);
    });
    trainer.on('exit', () => resolve());
    trainer.start();
  });
  process.off('SIGINT', onSigint);
  if (args.report && started) {
    writeHtmlReport(args.report, args.target, recorded);
    process.stderr.write(`Report written to ${args.report}\n`);
  } else if (args.report) {
    process.stderr.write(`No report written: the script did not start.\n`);
  }
  // Killed by a signal (Stop's kill): 1 after an error, else as a shell reports an interrupted command.
  return trainer.exitCode ?? (failed ? 1 : 130);
}

/** Model Lens's lines on stderr beside the script's own output: a model's summary once (compile and fit both announce it). */
function humanPrinter(): (m: TrainerMessage) => void {
  const summarized = new Set<string>();
  return (m) => humanLine(m, summarized);
}

function humanLine(m: TrainerMessage, summarized: Set<string>): void {
  switch (m.type) {
    case 'ready':
      process.stderr.write(`model-lens: backend ${m.backend} (${m.reason})\n`);
      break;
    case 'model':
      // Once per model: two models of one name are told apart by their ids.
      if (summarized.has(`${m.modelId ?? 0}:${m.name}`)) break;
      summarized.add(`${m.modelId ?? 0}:${m.name}`);
      process.stderr.write(`${formatSummary(m.summary)}\n`);
      break;
    case 'log':
      if (m.level === 'warn') process.stderr.write(`model-lens: warning: ${m.message}\n`);
      break;
    case 'anomaly':
      process.stderr.write(`model-lens: anomaly: ${m.source ? `${m.source.file}:${m.source.line}:${m.source.column}: ` : ''}${m.message}\n`);
      break;
    case 'diagnosis':
      if (m.severity === 'error') break; // the run's error follows, with the same words
      process.stderr.write(`model-lens: warning: ${m.source ? `${m.source.file}:${m.source.line}:${m.source.column}: ` : ''}${m.message} [${m.code}]\n` +
        m.fixes.map((f) => `  fix: ${f.title}\n`).join(''));
      break;
    case 'error':
      process.stderr.write(errorLines(m));
      break;
    default:
      break;
  }
}
