// Samples as the Data view shows them, made from model-ready batches when no raw pixels or cells are
// kept: image-shaped inputs become 0–255 pixels, anything else a table with the label as last column.
import type { Batch, DataTask, SampleDisplay } from './dataSource';
import { inputSize } from './dataSource';

/** The first `count` samples of `batch`: images when shaped [h, w, 1 | 3], else rows of values and label. */
export function batchDisplay(batch: Batch, inputShape: readonly number[], task: DataTask, featureNames: readonly string[], count: number): SampleDisplay {
  const n = Math.max(0, Math.min(count, batch.count));
  const size = inputSize(inputShape);
  if (inputShape.length === 3 && (inputShape[2] === 1 || inputShape[2] === 3)) {
    const [height, width, channels] = inputShape;
    return {
      kind: 'images', count: n, height, width, channels, pixels: displayPixels(batch.inputs.subarray(0, n * size), size),
      ...(batch.kind === 'classification' ? { labels: batch.labels.slice(0, n) } : {}),
    };
  }
  const columns = featureNames.length === size ? [...featureNames] : Array.from({ length: size }, (_, i) => `x${i + 1}`);
  const targets = task.kind === 'regression' ? task.targetNames : ['label'];
  const rows = Array.from({ length: n }, (_, r) => [
    ...Array.from(batch.inputs.subarray(r * size, (r + 1) * size), cell),
    ...labelCells(batch, task, r),
  ]);
  return { kind: 'rows', count: n, columns: [...columns, ...targets], rows };
}

/** Sample `r`'s label as the user names it (class name), or its target values. */
function labelCells(batch: Batch, task: DataTask, r: number): string[] {
  if (batch.kind === 'classification') {
    const label = batch.labels[r];
    return [task.kind === 'classification' ? (task.classNames[label] ?? String(label)) : String(label)];
  }
  const width = task.kind === 'regression' ? task.targetNames.length : 1;
  return Array.from(batch.targets.subarray(r * width, (r + 1) * width), cell);
}

/** A float32 value as a person reads it (0.3, not 0.30000001192092896). */
const cell = (v: number): string => String(Number(v.toPrecision(6)));

/**
 * Inputs as 0–255 pixels: values already in [0, 1] (ToTensor) or [0, 255] are scaled as they are, so
 * dark stays dark; others (normalised) are stretched per sample from their minimum to their maximum.
 */
export function displayPixels(inputs: Float32Array, size: number): Uint8Array {
  let min = Infinity;
  let max = -Infinity;
  for (const v of inputs) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const out = new Uint8Array(inputs.length);
  if (min >= 0 && max <= 255) {
    const scale = max <= 1 ? 255 : 1;
    for (let i = 0; i < inputs.length; i++) out[i] = Math.round(inputs[i] * scale);
    return out;
  }
  for (let start = 0; start < inputs.length; start += size) {
    const sample = inputs.subarray(start, start + size);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of sample) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const scale = hi > lo ? 255 / (hi - lo) : 0;
    for (let i = 0; i < sample.length; i++) out[start + i] = Math.round((sample[i] - lo) * scale);
  }
  return out;
}
