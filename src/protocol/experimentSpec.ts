// The serialisable part of an experiment file's default export (everything but `model`), as users
// write it: one type per data set, optimizer and schedule kind, and no index signatures, so the
// editor underlines a misspelt key. Every key and value here is checked at run time by the table in
// experimentSchema.ts (a compile-time link there keeps the two in step).

export interface NormalizeSpec {
  mean: number;
  std: number;
}

interface DataCommon {
  /** At most this many training samples (a seeded random subset). */
  limit?: number;
  /** At most this many test samples (the first ones). */
  testLimit?: number;
}

interface ImageDataCommon extends DataCommon {
  /** `(x - mean) / std` after scaling pixels to 0..1 (torchvision's Normalize). */
  normalize?: NormalizeSpec;
  /** Folder of IDX files, relative to the experiment file (mnist: the bundled copy by default). */
  folder?: string;
  /** Keep only these classes, relabelled 0..n-1 (e.g. digits [5, 6, 7, 8, 9]). */
  classes?: number[];
}

/** MNIST, bundled with Model Lens. */
export interface MnistDataSpec extends ImageDataCommon {
  dataset: 'mnist';
}

/** Fashion-MNIST from a folder of its four IDX files. */
export interface FashionMnistDataSpec extends ImageDataCommon {
  dataset: 'fashion-mnist';
}

/** Any folder of MNIST-named IDX files. */
export interface IdxDataSpec extends ImageDataCommon {
  dataset: 'idx';
  classNames?: string[];
  numClasses?: number;
}

/** TensorFlow Playground's 2-D sets. */
export interface SyntheticDataSpec extends DataCommon {
  dataset: 'circle' | 'xor' | 'gauss' | 'spiral';
  /** `(x - mean) / std` of both coordinates. */
  normalize?: NormalizeSpec;
  numSamples?: number;
  /** Percent, as the playground's slider (0–50). */
  noise?: number;
  /** Percent of the samples used for training (the rest test). */
  percTrainData?: number;
}

/**
 * A CSV table: one row per sample. Numeric columns are standardised with the training split's mean
 * and std, categorical ones one-hot encoded. The label is a class (cross-entropy losses) or a number
 * (meanSquaredError, meanAbsoluteError).
 */
export interface CsvDataSpec extends DataCommon {
  dataset: 'csv';
  /** The CSV file, relative to the experiment file; its first row names the columns. */
  file: string;
  /** The column to predict. */
  label: string;
  /** The input columns (default: every column but the label). */
  features?: string[];
  /** Columns to one-hot encode, or 'auto': every column with a non-numeric cell. */
  categorical?: string[] | 'auto';
  /** A row with an empty cell: dropped (default), an error, or the training mean filled in. */
  missing?: 'drop' | 'error' | 'mean';
  /** Fraction of the rows kept for testing (default 0.2), chosen by a seeded draw. */
  testSplit?: number;
  /** One character (default ','). */
  delimiter?: string;
}

/** A folder with one subfolder of PNG or JPEG images per class (torchvision's ImageFolder). */
export interface ImagesDataSpec extends DataCommon {
  dataset: 'images';
  /** Relative to the experiment file; its subfolders' names are the class names. */
  folder: string;
  /** [height, width]: images are resized (shorter side) and centre-cropped to it, as Resize + CenterCrop. */
  size: [number, number];
  /** 1 (grayscale) or 3 (RGB). */
  channels: 1 | 3;
  /** A folder laid out as `folder` to test on (default: testSplit of `folder`). */
  testFolder?: string;
  /** Fraction of each class's files kept for testing (default 0.2). */
  testSplit?: number;
  /** Per channel, after scaling to 0..1 (torchvision's Normalize). */
  normalize?: { mean: number[]; std: number[] };
  /** Random changes of each training image, drawn anew every epoch. */
  augment?: { flipHorizontal?: boolean; randomCrop?: { padding: number } };
}

export type DataSpec = MnistDataSpec | FashionMnistDataSpec | IdxDataSpec | SyntheticDataSpec | CsvDataSpec | ImagesDataSpec;

/**
 * Data made by the experiment's own code: `data: () => ({ train: { x, y }, test?: { x, y } })`,
 * sync or async, with tensors or nested arrays (the precise types are in the `model-lens` module).
 */
export type DataFunction = () => unknown;

export interface SgdSpec {
  type: 'sgd';
  learningRate: number;
  momentum?: number;
  nesterov?: boolean;
}

export interface MomentumSpec {
  type: 'momentum';
  learningRate: number;
  momentum?: number;
  nesterov?: boolean;
}

export interface AdamSpec {
  type: 'adam';
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export interface RmspropSpec {
  type: 'rmsprop';
  learningRate: number;
  /** PyTorch's alpha. */
  decay?: number;
  momentum?: number;
  epsilon?: number;
  centered?: boolean;
}

export interface AdagradSpec {
  type: 'adagrad';
  learningRate: number;
  initialAccumulatorValue?: number;
}

export type OptimizerSpec = SgdSpec | MomentumSpec | AdamSpec | RmspropSpec | AdagradSpec;

/** Learning-rate schedules with PyTorch's definitions; fields are the camelCase of its arguments. */
export interface ConstantScheduleSpec { type: 'none' }
export interface StepScheduleSpec { type: 'step'; stepSize: number; gamma?: number }
export interface ExponentialScheduleSpec { type: 'exponential'; gamma: number }
export interface CosineScheduleSpec { type: 'cosine'; tMax: number; etaMin?: number }
export interface CosineWarmRestartsScheduleSpec { type: 'cosineWarmRestarts'; t0: number; tMult?: number; etaMin?: number }
export interface OneCycleScheduleSpec {
  type: 'oneCycle';
  maxLr: number;
  totalSteps?: number;
  pctStart?: number;
  anneal?: 'cos' | 'linear';
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}
export interface CyclicScheduleSpec {
  type: 'cyclic';
  baseLr?: number;
  maxLr: number;
  stepSizeUp?: number;
  stepSizeDown?: number;
  mode?: 'triangular' | 'triangular2' | 'exp_range';
  gamma?: number;
}
export interface PlateauScheduleSpec {
  type: 'plateau';
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number;
  eps?: number;
  /** Which loss it watches (ours, not PyTorch's). */
  monitor?: 'testLoss' | 'trainLoss';
}

export type ScheduleSpec =
  | ConstantScheduleSpec | StepScheduleSpec | ExponentialScheduleSpec | CosineScheduleSpec | CosineWarmRestartsScheduleSpec
  | OneCycleScheduleSpec | CyclicScheduleSpec | PlateauScheduleSpec;

/**
 * The shapes the trainer's modules accept before the schema has vouched for them (the schedule CLI's
 * JSON, tests): they check their own fields too.
 */
export interface LooseScheduleSpec {
  type: string;
  [field: string]: unknown;
}
export interface LooseDataSpec {
  dataset: string;
  [field: string]: unknown;
}
export interface LooseOptimizerSpec {
  type: string;
  learningRate: number;
  [field: string]: unknown;
}

export type LossName =
  | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'binaryCrossentropy' | 'meanSquaredError'
  | 'meanAbsoluteError' | 'mse' | 'mae' | 'crossEntropy'
  /** From logits (no softmax on the last layer), as PyTorch's CrossEntropyLoss. */
  | 'softmaxCrossEntropy';

/**
 * An epoch's figure to watch, as Keras names them (`val_*`: the test split, which Model Lens
 * evaluates after every epoch) or as the epochEnd message does.
 */
/**
 * A figure to watch, over the named-metrics vocabulary (monitorNames.ts): `loss`, `accuracy`, `mae`,
 * `r2`, … (training), `val_loss`, `val_mae`, … (held out), `testLoss`, `testR2`, … (test split).
 */
export type MonitorName = string;

/** Whether a smaller or a larger figure is better; inferred from the name when left out (accuracies max, losses min). */
export type MonitorMode = 'min' | 'max';

export interface CheckpointSpec {
  /** Save model.json + weights into the run's folder (`checkpoints/last`) after every epoch. */
  every?: 'epoch';
  /** Keep the best epoch by this figure too (`checkpoints/best`), as Keras's ModelCheckpoint(save_best_only). */
  keepBest?: MonitorName;
  mode?: MonitorMode;
}

/** Keras's EarlyStopping: stop when `monitor` has not improved by more than `minDelta` for `patience` epochs. */
export interface EarlyStoppingSpec {
  /** Default 'val_loss'. */
  monitor?: MonitorName;
  /** Epochs without improvement before stopping (default 0, as Keras). */
  patience?: number;
  /** The least change that counts as an improvement (default 0). */
  minDelta?: number;
  mode?: MonitorMode;
}

export interface TrainingSpec {
  epochs?: number;
  batchSize?: number;
  /** Steps in an epoch, for a tf.data.Dataset whose size is unknown (else counted from the data). */
  stepsPerEpoch?: number;
  seed?: number;
  optimizer?: OptimizerSpec;
  loss?: LossName;
  schedule?: ScheduleSpec;
  /** Gradient figures every N steps. */
  gradientEvery?: number;
  /** Folder (relative to the experiment file) to save the trained model.json + weights into. */
  save?: string;
  /** Save also when the run is stopped (by default only a completed run is saved). */
  saveOnStop?: boolean;
  /** Checkpoints in the run's folder, loadable with loadModel. */
  checkpoint?: CheckpointSpec;
  earlyStopping?: EarlyStoppingSpec;
}

export interface ExperimentSettings {
  name?: string;
  data?: DataSpec | DataFunction;
  training?: TrainingSpec;
  /**
   * Layers to freeze: a layer name or glob (`conv*`, `block1/*`), a layer type (`Conv2D`), or `#i` /
   * `#i-j` for the top-level layers i to j (`#` cannot start a layer name; the older `'0-3'` still works).
   */
  freeze?: string[];
}
