// Human output of `model-lens train`: a tqdm-style bar per epoch (on stderr, like tqdm), the
// course's epoch lines, and the closing report.
import type { BatchMessage, DoneMessage, EpochEndMessage, ErrorMessage, EvaluationMessage, Metrics, TraceMessage } from '../protocol/messages';
import { metricInfo, orderedMetricNames } from '../protocol/metricNames';

const BAR_WIDTH = 10;

export function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** `Epoch 1/5:  42%|████▏     | 197/469 [00:02<00:03, 88.12it/s, loss=0.2874, acc=0.9172]` */
export function progressLine(b: BatchMessage, epochs: number, stepsPerEpoch: number, epochSec: number): string {
  const fraction = b.batch / stepsPerEpoch;
  const eighths = Math.round(fraction * BAR_WIDTH * 8);
  const full = Math.floor(eighths / 8);
  const partial = eighths % 8 ? ' ▏▎▍▌▋▊▉'[eighths % 8] : '';
  const bar = ('█'.repeat(full) + partial).padEnd(BAR_WIDTH, ' ');
  const rate = epochSec > 0 ? b.batch / epochSec : 0;
  const eta = rate > 0 ? (stepsPerEpoch - b.batch) / rate : NaN;
  return `Epoch ${b.epoch}/${epochs}: ${String(Math.round(fraction * 100)).padStart(3)}%|${bar}| ${b.batch}/${stepsPerEpoch} ` +
    `[${clock(epochSec)}<${clock(eta)}, ${rate.toFixed(2)}it/s${postfix(b.metrics)}]`;
}

/** tqdm's postfix: `, loss=0.2874, acc=0.9172` (every figure of the batch, vocabulary order). */
function postfix(metrics: Metrics): string {
  return orderedMetricNames([metrics]).map((n) => `, ${metricInfo(n).short}=${metrics[n].toFixed(4)}`).join('');
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

/** A figure as the course prints it: a fraction as a percentage with 2 decimals, others with 4. */
export function printedMetric(name: string, value: number): string {
  return metricInfo(name).format === 'fraction' ? pct(value) : value.toFixed(4);
}

/** `Train Loss: 0.1234, Train Accuracy: 91.23%` for one record of figures. */
function figures(prefix: string, metrics: Metrics | undefined): string[] {
  if (!metrics) return [];
  return orderedMetricNames([metrics]).map((n) => `${prefix} ${metricInfo(n).label}: ${printedMetric(n, metrics[n])}`);
}

/** The course's epoch line, with every named figure: training (epoch mean), validation and test. */
export function epochLine(e: EpochEndMessage, epochs: number | null): string {
  const parts = [...figures('Train', e.metrics), ...figures('Val', e.val), ...figures('Test', e.test)];
  return [`Epoch [${e.epoch}${epochs === null ? '' : `/${epochs}`}]`, ...parts, `LR: ${e.lr.toPrecision(4)}`, `Time: ${e.epochSec.toFixed(1)}s`].join(', ');
}

/** The course's closing lines for a completed run; a stopped one says so instead of "Training Done.". */
export function finalReport(done: Pick<DoneMessage, 'reason' | 'steps' | 'elapsedSec'>, evaluation: EvaluationMessage | null): string {
  const heading = done.reason === 'stopped' ? `Stopped after ${done.steps} steps.` : 'Training Done.';
  const lines = [heading, `Elapsed time: ${done.elapsedSec.toFixed(2)} s`];
  if (evaluation) {
    lines.push(...figures('Test', evaluation.test).filter((line) => !line.startsWith('Test Loss')));
    evaluation.perClassAccuracy.forEach((acc, c) => {
      lines.push(`Accuracy of class ${evaluation.classNames[c] ?? c}: ${acc === null ? 'n/a (no samples)' : pct(acc)}`);
    });
  }
  return lines.join('\n');
}

/** `model-lens: error: file:line:col: message` and the hint on the next line, as compilers print them. */
export function errorLines(m: ErrorMessage): string {
  const where = m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : '';
  return `model-lens: error: ${where}${m.message}${m.hint ? `\n  ${m.hint}` : ''}\n`;
}

const g4 = (v: number) => v.toPrecision(4);

/** A traced step in a few lines: the loss, then per layer forward figures and ‖dL/dW‖ of the sample beside the batch's. */
export function traceLine(t: TraceMessage): string {
  const lines = [
    `Trace of step ${t.step} (epoch ${t.epoch}, batch ${t.batch}), sample ${t.sample} of ${t.batchSize} in its batch (from 0; #${t.sampleIndex} in the epoch's shuffled order); update ${t.rule}, lr ${t.lr}`,
    `  loss ${t.loss.name} = ${g4(t.loss.value)}; target ${t.loss.targetClass ?? t.loss.target.map(g4).join(' ')}, predicted ${t.loss.predictedClass ?? t.loss.prediction.map(g4).join(' ')}` +
      `; ${t.loss.logits ? 'dL/dz = p − y' : 'dL/dŷ'} = [${t.loss.outputGradient.slice(0, 10).map(g4).join(', ')}${t.loss.outputGradient.length > 10 ? ', …' : ''}]`,
  ];
  for (const l of t.layers) {
    const grads = l.weights.map((w) => `‖dL/d${w.name}‖ ${g4(w.sampleGrad.l2)} (batch ${g4(w.batchGrad.l2)}, ‖ΔW‖ ${g4(w.delta.l2)})`).join(', ');
    const from = l.sources ? ` ← ${l.sources.join(' + ')}` : '';
    const paths = l.consumers && l.consumers.length > 1 ? `; dL/d(out) = sum of ${l.consumers.length} paths (${l.consumers.join(', ')})` : '';
    lines.push(`  ${l.layer} (${l.type}${l.activation ? `, ${l.activation}` : ''})${from}: out mean ${g4(l.output.mean)} std ${g4(l.output.std)}${paths}` +
      `${l.activeShare !== null ? `, ${(100 * l.activeShare).toFixed(0)}% active` : ''}; ‖dL/d(in)‖ ${g4(l.dInput.l2)}${grads ? `; ${grads}` : ''}`);
  }
  if (t.note) lines.push(`  note: ${t.note}`);
  return lines.join('\n');
}
