// The `model-lens` module as experiment files see it: `import { defineExperiment, loadModel } from
// 'model-lens'`. At run time the loader hands out an instance bound to the experiment's folder.
import type * as tfType from '@tensorflow/tfjs';
import type { ExperimentSettings } from './protocol/experimentSpec';

export type { DataSpec, NormalizeSpec, OptimizerSpec, ScheduleSpec, TrainingSpec } from './protocol/experimentSpec';

export interface Experiment extends ExperimentSettings {
  /** Builds the model to train or inspect: a tf.LayersModel, or a Promise of one. */
  model: () => tfType.LayersModel | Promise<tfType.LayersModel>;
}

/** Identity helper that gives an experiment object its types. */
export function defineExperiment<T extends Experiment>(experiment: T): T {
  return experiment;
}

/** Reads a tfjs LayersModel (`model.json` + weight shards) from disk; relative to the experiment. */
export declare function loadModel(path: string): Promise<tfType.LayersModel>;
