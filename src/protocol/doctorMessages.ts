// The model doctor's findings and the activation figures they partly come from. A diagnosis is found
// before training (the model's output against its loss, the data against `normalize`) or from the
// figures of sampled steps (update ratios, gradients, activations); each carries the fixes a Quick Fix
// (src/host) or the CLI's `check` offers, as settings to write rather than text.
import type { LossName } from './experimentSpec';
import type { GradientHistogram } from './messages';
import type { SourceLocation } from './modelInfo';

export type DiagnosisCode =
  | 'logitsIntoProbabilityLoss' | 'softmaxBeforeLogitLoss' | 'inputsNotNormalised'
  | 'learningRateTooHigh' | 'learningRateTooLow' | 'deadRelu' | 'vanishingGradients' | 'explodingGradients';

export const DIAGNOSIS_CODES: readonly DiagnosisCode[] = [
  'logitsIntoProbabilityLoss', 'softmaxBeforeLogitLoss', 'inputsNotNormalised',
  'learningRateTooHigh', 'learningRateTooLow', 'deadRelu', 'vanishingGradients', 'explodingGradients',
];

/** A fix as the setting it writes: a layer's activation at the diagnosis's source, or an experiment key. */
export type DiagnosisFix =
  /** `activation: null` removes the layer's activation (back to linear). */
  | { kind: 'setActivation'; title: string; layer: string; activation: string | null }
  | { kind: 'setLoss'; title: string; loss: LossName }
  | { kind: 'setNormalize'; title: string; mean: number; std: number }
  | { kind: 'setLearningRate'; title: string; learningRate: number };

export interface DiagnosisMessage {
  type: 'diagnosis';
  code: DiagnosisCode;
  /** `error`: training cannot work as written (the run stops); `warning`: it trains, badly. */
  severity: 'error' | 'warning';
  /** The sampled step whose figures showed it; null when found before training. */
  step: number | null;
  layer: string | null;
  source: SourceLocation | null;
  message: string;
  fixes: DiagnosisFix[];
}

/** A ReLU layer with more than this share of dead units for this many sampled steps in a row is flagged (graph, doctor). */
export const DEAD_SHARE = 0.5;
export const DEAD_SAMPLES_IN_A_ROW = 3;

/** What a layer's outputs were on one sampled step (the training batch, forward in training mode). */
export interface LayerActivation {
  layer: string;
  /** The layer's activation function (`relu`, `sigmoid`, …), `linear` for none. */
  activation: string;
  mean: number | null;
  std: number | null;
  /** ReLU layers: the share of units (last axis) that are 0 for every sample and position of the batch. */
  deadShare: number | null;
  /** Sigmoid and tanh layers: the share of outputs where the derivative is below 5% of its maximum. */
  saturatedShare: number | null;
  histogram?: GradientHistogram;
}

export interface ActivationsMessage {
  type: 'activations';
  epoch: number;
  step: number;
  layers: LayerActivation[];
}
