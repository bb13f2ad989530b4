// The `model-lens` module as experiment files see it: `import { defineExperiment, loadModel } from
// 'model-lens'`. At run time the loader hands out an instance bound to the experiment's folder.
import type * as tfType from '@tensorflow/tfjs';
import type { ExperimentSettings } from './protocol/experimentSpec';

export type {
  AdagradSpec, AdamSpec, DataSpec, FashionMnistDataSpec, IdxDataSpec, LossName, MnistDataSpec, MomentumSpec, NormalizeSpec,
  OptimizerSpec, RmspropSpec, ScheduleSpec, SgdSpec, SyntheticDataSpec, TrainingSpec,
} from './protocol/experimentSpec';

export interface Experiment extends ExperimentSettings {
  /** Builds the model to train or inspect: a tf.LayersModel, or a Promise of one. */
  model: () => tfType.LayersModel | Promise<tfType.LayersModel>;
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
