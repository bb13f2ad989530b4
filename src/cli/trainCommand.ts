import * as fs from 'node:fs';
import { formatSummary } from '../model/formatSummary';
import type { EvaluationMessage, TrainerMessage, TrainRequest } from '../protocol/messages';
import type { CliArgs } from './cliArgs';
import { writeHtmlReport } from './htmlReport';
import { recordRun } from './runRecording';
import { runTrainerChild } from './trainerChild';
import { epochLine, errorLines, finalReport, progressLine, traceLine } from './trainingPrinter';

/** `model-lens train`: the trainer in a child process, printing for people or (--json) one message a line. */
export async function trainCommand(args: CliArgs): Promise<number> {
  const request: TrainRequest = {
    file: args.target, epochs: args.epochs, batchSize: args.batchSize, limit: args.limit, testLimit: args.testLimit,
    backend: args.backend, threads: args.threads, gradientEvery: args.gradientEvery, save: args.save,
    ...(args.saveOnStop ? { saveOnStop: true } : {}),
    ...(args.traceStep !== undefined ? { traceStep: args.traceStep, traceSample: args.traceSample ?? 0 } : {}),
  };
  const show = args.json ? jsonPrinter() : humanPrinter();
  const { show: recordAndShow, runDir } = recordRun(args, request, show);
  if (runDir) request.runDir = runDir;
  const recorded: TrainerMessage[] = [];
  const done = await runTrainerChild(request, {
    buildTimeoutSec: args.buildTimeout,
    onInterrupt: 'stop',
    onMessage: (m, source) => {
      if (args.report) recorded.push(m);
      // A trainer that died leaves its run unfinished (recorded as interrupted); why is only printed.
      (source === 'crash' ? show : recordAndShow)(m);
    },
  });
  // A missing file ran nothing: no report of it (a model that failed to build is reported, with what was built).
  if (args.report && fs.existsSync(args.target)) {
    writeHtmlReport(args.report, args.target, recorded);
    process.stderr.write(`Report written to ${args.report}\n`);
  }
  return done.reason === 'completed' || done.reason === 'stopped' ? 0 : 1;
}

function jsonPrinter(): (m: TrainerMessage) => void {
  return (m) => process.stdout.write(`${JSON.stringify(m)}\n`);
}

function humanPrinter(): (m: TrainerMessage) => void {
  const tty = process.stderr.isTTY === true;
  let epochs = 1;
  let stepsPerEpoch = 1;
  let epochStarted = 0;
  let lastDraw = 0;
  let lastBatch: TrainerMessage | null = null;
  let evaluation: EvaluationMessage | null = null;
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const drawProgress = (final: boolean) => {
    if (!lastBatch || lastBatch.type !== 'batch') return;
    const line = progressLine(lastBatch, epochs, stepsPerEpoch, performance.now() / 1000 - epochStarted);
    if (tty) process.stderr.write(`\r${line}${final ? '\n' : ''}`);
    else if (final) process.stderr.write(`${line}\n`);
  };
  return (m) => {
    switch (m.type) {
      case 'ready':
        out(`Backend: ${m.backend} (${m.reason}); tfjs ${m.versions.tfjs}, Model Lens ${m.versions.modelLens}`);
        break;
      case 'model': {
        out(formatSummary(m.summary));
        if (!m.plan || !m.dataset) break;
        epochs = m.plan.epochs;
        stepsPerEpoch = m.plan.stepsPerEpoch;
        const sizes = m.dataset.sizes ?? `${m.dataset.trainCount.toLocaleString('en-US')} train, ${m.dataset.testCount.toLocaleString('en-US')} test`;
        out(`Data: ${m.dataset.name} (${sizes}) from ${m.dataset.source}`);
        out(`Training: ${m.plan.epochs} epoch(s) × ${m.plan.stepsPerEpoch} steps of ${m.plan.batchSize}, ${m.plan.optimizer}, ${m.plan.loss}, seed ${m.plan.seed}`);
        break;
      }
      case 'epochStart':
        epochStarted = performance.now() / 1000;
        lastBatch = null;
        break;
      case 'batch': {
        lastBatch = m;
        const t = performance.now();
        if (tty && t - lastDraw > 100) { lastDraw = t; drawProgress(false); }
        break;
      }
      case 'epochEnd':
        drawProgress(true);
        out(epochLine(m, epochs));
        break;
      case 'evaluation':
        evaluation = m;
        break;
      case 'anomaly':
        drawProgress(true);
        process.stderr.write(`model-lens: anomaly: ${m.source ? `${m.source.file}:${m.source.line}:${m.source.column}: ` : ''}${m.message}\n`);
        break;
      case 'diagnosis':
        if (m.severity === 'error') break; // the run's error follows, with the same words and the fixes
        drawProgress(true);
        process.stderr.write(`model-lens: ${m.severity}: ${m.source ? `${m.source.file}:${m.source.line}:${m.source.column}: ` : ''}${m.message} [${m.code}]\n` +
          m.fixes.map((f) => `  fix: ${f.title}\n`).join(''));
        break;
      case 'trace':
        out(traceLine(m));
        break;
      case 'log':
        process.stderr.write(`${m.level === 'warn' ? 'warning: ' : ''}${m.message}\n`);
        break;
      case 'error':
        drawProgress(true);
        process.stderr.write(errorLines(m));
        break;
      case 'done':
        if (m.reason === 'stopped') drawProgress(true);
        if (m.reason === 'completed' || m.reason === 'stopped') out(finalReport(m, evaluation));
        break;
      default:
        break;
    }
  };
}
