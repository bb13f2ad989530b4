// The serialisable part of an experiment file's default export (everything but `model`).
// Field names follow DESIGN.md; the trainer gives them their meaning.

export interface NormalizeSpec {
  mean: number;
  std: number;
}

export interface DataSpec {
  /** `mnist` (bundled), `idx` (a folder of IDX files), or a synthetic 2-D set. */
  dataset: string;
  folder?: string;
  normalize?: NormalizeSpec;
  limit?: number;
  testLimit?: number;
  /** Keep only these classes, relabelled 0..n-1 (e.g. digits [5, 6, 7, 8, 9]). */
  classes?: number[];
  [extra: string]: unknown;
}

export interface OptimizerSpec {
  type: string;
  learningRate: number;
  [extra: string]: unknown;
}

export interface ScheduleSpec {
  type: string;
  [field: string]: unknown;
}

export interface TrainingSpec {
  epochs?: number;
  batchSize?: number;
  seed?: number;
  optimizer?: OptimizerSpec;
  loss?: string;
  schedule?: ScheduleSpec;
  /** Gradient figures every N steps. */
  gradientEvery?: number;
  /** Folder (relative to the experiment file) to save the trained model.json + weights into. */
  save?: string;
  /** Save also when the run is stopped (by default only a completed run is saved). */
  saveOnStop?: boolean;
  [extra: string]: unknown;
}

export interface ExperimentSettings {
  name?: string;
  data?: DataSpec;
  training?: TrainingSpec;
  /** Layer name patterns (`conv*`), types (`Conv2D`) or index ranges (`0-3`) to freeze. */
  freeze?: string[];
}
