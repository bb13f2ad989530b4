// The `model-lens` module as experiment files see it: `import { defineExperiment, loadModel } from
// 'model-lens'`. At run time the loader hands out an instance bound to the experiment's folder.
import type * as tfType from '@tensorflow/tfjs';
import type { DataSpec, ExperimentSettings } from './protocol/experimentSpec';

export type {
  AdagradSpec, AdamSpec, CsvDataSpec, DataSpec, FashionMnistDataSpec, IdxDataSpec, ImagesDataSpec, LossName, MnistDataSpec, MomentumSpec,
  NormalizeSpec, OptimizerSpec, RmspropSpec, ScheduleSpec, SgdSpec, SyntheticDataSpec, TrainingSpec,
} from './protocol/experimentSpec';

/** Numbers nested to any depth, one entry per sample, or typed arrays. */
export type NumericArray = number[] | Float32Array | Float64Array | Int32Array | Uint8Array | NumericArray[] | readonly NumericArray[];

/**
 * One split from code. x: one entry per sample (or a tensor [samples, ...shape]); y: class indices,
 * class names or one-hot rows (cross-entropy losses), or numbers (MSE, MAE).
 */
export interface CodeSplit {
  x: tfType.Tensor | NumericArray;
  y: tfType.Tensor | NumericArray | string[];
}

/** A tf.data.Dataset of `{ xs, ys }` (batched or single samples). */
export type CodeDataset = tfType.data.Dataset<tfType.TensorContainer>;

/** What `data()` returns: arrays or tensors, or tf.data.Datasets (give training.stepsPerEpoch when one's size is unknown). */
export type CodeData = { train: CodeSplit; test?: CodeSplit } | { train: CodeDataset; test?: CodeDataset } | CodeDataset;

export interface Experiment extends Omit<ExperimentSettings, 'data'> {
  /** Builds the model to train or inspect: a tf.LayersModel, or a Promise of one. */
  model: () => tfType.LayersModel | Promise<tfType.LayersModel>;
  /** A data set by name (`{ dataset: 'csv', ... }`), or a function that makes the data in code. */
  data?: DataSpec | (() => CodeData | Promise<CodeData>);
}

/**
 * Identity helper that gives an experiment object its types. Not generic on purpose: a key that is
 * not a setting (`epoch` for `epochs`) is then an error the editor underlines.
 */
export function defineExperiment(experiment: Experiment): Experiment {
  return experiment;
}

/** Reads a tfjs LayersModel (`model.json` + weight shards) from disk; relative to the experiment. */
export declare function loadModel(path: string): Promise<tfType.LayersModel>;

/**
 * Custom scalars drawn as charts of their own in the Training view: `lens.log({ gradNorm: 1.2 })`
 * records each named number at the run's current step (names: a letter, then letters, digits or
 * `_ . - /`; values that are not finite numbers are left out with a warning).
 */
export declare const lens: { log(values: Record<string, number>): void };
