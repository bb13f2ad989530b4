// Whether a run's tensors fit the backend, checked before the first step so a model too large for
// it is refused with figures instead of crashing mid-run (a wasm heap cannot grow past 4 GiB).
import { formatBytes, machineMemory, type MemoryLimits } from '../model/memoryLimits';
import { UserError } from '../model/userError';
import type { SummaryTotals } from '../protocol/modelInfo';
import type { SourceLocation } from '../protocol/modelInfo';

export interface TrainingMemory {
  weights: number;
  gradients: number;
  /** The optimizer's copies of the trainable weights (Adam's two moments, momentum's velocity). */
  optimizerState: number;
  /** Inputs and layer outputs of one batch with their gradients, as torchinfo estimates them. */
  activations: number;
  total: number;
}

/** Bytes a training step holds, roughly: from the summary at the training batch size. */
export function trainingMemory(totals: SummaryTotals, optimizerCopies: number): TrainingMemory {
  const trainable = totals.trainableParams * 4;
  const need = {
    weights: totals.paramBytes, gradients: trainable, optimizerState: trainable * optimizerCopies,
    activations: totals.inputBytes + totals.forwardBackwardBytes,
  };
  return { ...need, total: need.weights + need.gradients + need.optimizerState + need.activations };
}

export interface RunShape {
  backend: string;
  optimizer: string;
  optimizerCopies: number;
  batchSize: number;
}

/** Throws a UserError with the figures when `need` is more than `limits` can hold. */
export function checkTrainingMemory(need: TrainingMemory, limits: MemoryLimits, run: RunShape, where: SourceLocation | null): void {
  if (need.total <= limits.total) return;
  const parts = [
    `weights ${formatBytes(need.weights)}`, `gradients ${formatBytes(need.gradients)}`,
    ...(run.optimizerCopies > 0 ? [`${run.optimizer}'s ${run.optimizerCopies} cop${run.optimizerCopies === 1 ? 'y' : 'ies'} ${formatBytes(need.optimizerState)}`] : []),
    `activations at batch ${run.batchSize} ${formatBytes(need.activations)}`,
  ];
  const remedies = ['make the model smaller'];
  if (need.activations > need.weights) remedies.push('lower the batch size');
  if (run.optimizerCopies > 0) remedies.push('use sgd (it keeps no copies)');
  if (run.backend === 'wasm' && machineMemory() > limits.total) remedies.push(`train with --backend cpu (this machine has ${formatBytes(machineMemory())})`);
  const hint = `${remedies.slice(0, -1).join(', ')}${remedies.length > 1 ? ' or ' : ''}${remedies[remedies.length - 1]}.`;
  throw new UserError(`training needs about ${formatBytes(need.total)} on the ${run.backend} backend (${parts.join(', ')}), ` +
    `more than ${limits.totalIs} holds (${formatBytes(limits.total)}).`, where, hint[0].toUpperCase() + hint.slice(1));
}
