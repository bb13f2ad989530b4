// Human output of `model-lens train`: a tqdm-style bar per epoch (on stderr, like tqdm), the
// course's epoch lines, and the closing report.
import type { BatchMessage, DoneMessage, EpochEndMessage, ErrorMessage, EvaluationMessage } from '../protocol/messages';

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
    `[${clock(epochSec)}<${clock(eta)}, ${rate.toFixed(2)}it/s, loss=${b.loss.toFixed(4)}, ${b.accuracy === null ? `mae=${(b.mae ?? NaN).toFixed(4)}` : `acc=${b.accuracy.toFixed(4)}`}]`;
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

export function epochLine(e: EpochEndMessage, epochs: number): string {
  if (e.trainAccuracy === null) {
    // A regression: MAE and R² where classes have accuracy.
    const test = e.testLoss === null ? '' : `, Test Loss: ${e.testLoss.toFixed(4)}, Test MAE: ${(e.testMae ?? NaN).toFixed(4)}, Test R2: ${(e.testR2 ?? NaN).toFixed(4)}`;
    return `Epoch [${e.epoch}/${epochs}], Train Loss: ${e.trainLoss.toFixed(4)}, Train MAE: ${(e.trainMae ?? NaN).toFixed(4)}${test}, LR: ${e.lr.toPrecision(4)}, Time: ${e.epochSec.toFixed(1)}s`;
  }
  const test = e.testLoss === null || e.testAccuracy === null ? '' : `, Test Loss: ${e.testLoss.toFixed(4)}, Test Accuracy: ${pct(e.testAccuracy)}`;
  return `Epoch [${e.epoch}/${epochs}], Train Loss: ${e.trainLoss.toFixed(4)}, Train Accuracy: ${pct(e.trainAccuracy)}${test}, LR: ${e.lr.toPrecision(4)}, Time: ${e.epochSec.toFixed(1)}s`;
}

/** The course's closing lines for a completed run; a stopped one says so instead of "Training Done.". */
export function finalReport(done: Pick<DoneMessage, 'reason' | 'steps' | 'elapsedSec'>, evaluation: EvaluationMessage | null): string {
  const heading = done.reason === 'stopped' ? `Stopped after ${done.steps} steps.` : 'Training Done.';
  const lines = [heading, `Elapsed time: ${done.elapsedSec.toFixed(2)} s`];
  if (evaluation) {
    lines.push(`Test Accuracy: ${pct(evaluation.testAccuracy)}`);
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
