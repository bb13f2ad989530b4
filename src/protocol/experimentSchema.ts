// Every setting an experiment file may write, with what its value must be: one table, checked before
// model() is called so a typo costs nothing. A new data set, optimizer, schedule, loss or training
// option is one entry here (and one type in experimentSpec.ts: the mapped types below make the
// compiler refuse a table and a type that disagree).
import type {
  CheckpointSpec, DataSpec, EarlyStoppingSpec, ExperimentSettings, LossName, NormalizeSpec, OptimizerSpec, ScheduleSpec,
  TrainingSpec,
} from './experimentSpec';
import { parseFreezePattern } from './freezePatterns';
import { csvFields, imagesFields } from './dataSchema';
import { MONITOR_NAMES, monitoredFigure, monitorNameFor } from './monitorNames';
import {
  closest, custom, flag, fn, listOf, number, object, oneOf, pathText, show, text, variants,
  type Field, type ObjectRule, type SettingProblem,
} from './settingRules';

/** A Field for every key of T (optional ones too). */
type FieldsOf<T> = { [K in keyof Required<T>]: Field };
/** The member of union U whose `Tag` admits K (a member may admit several: `dataset: 'xor' | 'spiral'`). */
type Member<U, Tag extends keyof U, K> = U extends unknown ? (K extends U[Tag] ? U : never) : never;
/** For each kind of a tagged union, the fields of that kind besides the tag and the common ones. */
type KindsOf<U, Tag extends keyof U, Common = object> = {
  [K in U[Tag] & string]: FieldsOf<Omit<Member<U, Tag, K>, Tag | keyof Common>>;
};

const positiveInteger = number({ what: 'a positive integer', integer: true, min: 1 });
const nonNegativeInteger = number({ what: 'an integer ≥ 0', integer: true, min: 0 });
const positive = number({ what: 'a number > 0', above: 0 });
const nonNegative = number({ what: 'a number ≥ 0', min: 0 });
const finite = number({ what: 'a finite number' });
const path = text('a path (a non-empty string)', (s) => s.trim() !== '');

// ---- data -------------------------------------------------------------------------------------

type DataCommon = Pick<DataSpec, 'limit' | 'testLimit'>;

const normalizeFields: FieldsOf<NormalizeSpec> = {
  mean: { rule: finite, required: true },
  std: { rule: number({ what: 'a finite number other than 0', not: 0 }), required: true },
};

const normalize: Field = {
  rule: object(normalizeFields, '{ mean, std }'), hint: 'For pixels scaled to 0..1, { mean: 0.5, std: 0.5 } maps them to -1..1.',
};

const dataCommon: FieldsOf<DataCommon> = {
  limit: { rule: positiveInteger, aka: ['trainLimit', 'maxSamples'] },
  testLimit: { rule: positiveInteger },
};

const imageFields = {
  normalize,
  folder: { rule: path, hint: 'A folder of IDX files, relative to the experiment file.' },
  classes: { rule: listOf(nonNegativeInteger, { what: 'a list of at least two class indices', minLength: 2, distinct: true }), hint: 'For example classes: [5, 6, 7, 8, 9] keeps those digits, relabelled 0..4.' },
};

const syntheticFields = {
  normalize,
  numSamples: { rule: number({ what: 'an integer ≥ 2', integer: true, min: 2 }) },
  noise: { rule: number({ what: 'a number from 0 to 50 (percent, as the playground slider)', min: 0, max: 50 }) },
  percTrainData: { rule: number({ what: 'a number between 0 and 100 (exclusive)', above: 0, below: 100 }) },
};

const dataKinds: KindsOf<DataSpec, 'dataset', DataCommon> = {
  mnist: imageFields,
  'fashion-mnist': imageFields,
  idx: { ...imageFields, classNames: { rule: listOf(text(), { what: 'a non-empty list of strings', minLength: 1 }) }, numClasses: { rule: positiveInteger } },
  circle: syntheticFields,
  xor: syntheticFields,
  gauss: syntheticFields,
  spiral: syntheticFields,
  csv: csvFields(),
  images: imagesFields(),
};

export const DATASET_KINDS = Object.keys(dataKinds);

const dataSpec = variants('dataset', dataKinds, { common: dataCommon, caseInsensitive: true, what: 'an object naming a `dataset`, or a function' });
/** A data set named by its settings, or the user's own `() => ({ train: { x, y }, test })` (checked when called). */
const data: ObjectRule = { ...dataSpec, check: (v, p) => (typeof v === 'function' ? null : dataSpec.check(v, p)) };

// ---- training ---------------------------------------------------------------------------------

const learningRate: Field = { rule: nonNegative, required: true, aka: ['lr', 'learning_rate'], hint: 'For example learningRate: 0.01.' };
const beta = number({ what: 'a number in [0, 1)', min: 0, below: 1 });

const optimizerKinds: KindsOf<OptimizerSpec, 'type', { learningRate: number }> = {
  sgd: { momentum: { rule: nonNegative }, nesterov: { rule: flag() } },
  momentum: { momentum: { rule: nonNegative }, nesterov: { rule: flag() } },
  adam: { beta1: { rule: beta }, beta2: { rule: beta }, epsilon: { rule: nonNegative, aka: ['eps'] } },
  rmsprop: { decay: { rule: nonNegative, aka: ['alpha'] }, momentum: { rule: nonNegative }, epsilon: { rule: nonNegative, aka: ['eps'] }, centered: { rule: flag() } },
  adagrad: { initialAccumulatorValue: { rule: nonNegative } },
};

export const OPTIMIZER_TYPES = Object.keys(optimizerKinds);

const optimizer = variants('type', optimizerKinds, {
  common: { learningRate },
  guesses: { adamw: 'adam', SGD: 'sgd', RMSProp: 'rmsprop', Adagrad: 'adagrad' },
  what: "an object with `type` ('sgd', 'momentum', 'adam', 'rmsprop', 'adagrad') and `learningRate`",
});

/** PyTorch's class names and other common spellings → our schedule type. */
const SCHEDULE_GUESSES: Record<string, string> = {
  constant: 'none', StepLR: 'step', ExponentialLR: 'exponential', CosineAnnealingLR: 'cosine', cosineAnnealing: 'cosine',
  CosineAnnealingWarmRestarts: 'cosineWarmRestarts', sgdr: 'cosineWarmRestarts', OneCycleLR: 'oneCycle', CyclicLR: 'cyclic',
  ReduceLROnPlateau: 'plateau', reduceOnPlateau: 'plateau',
};

const scheduleKinds: KindsOf<ScheduleSpec, 'type'> = {
  none: {},
  step: { stepSize: { rule: positiveInteger, required: true, aka: ['step_size'] }, gamma: { rule: positive } },
  exponential: { gamma: { rule: positive, required: true } },
  cosine: { tMax: { rule: positiveInteger, required: true, aka: ['T_max'] }, etaMin: { rule: nonNegative, aka: ['eta_min'] } },
  cosineWarmRestarts: {
    t0: { rule: positiveInteger, required: true, aka: ['T_0'] }, tMult: { rule: positiveInteger, aka: ['T_mult'] },
    etaMin: { rule: nonNegative, aka: ['eta_min'] },
  },
  oneCycle: {
    maxLr: { rule: positive, required: true, aka: ['max_lr'] }, totalSteps: { rule: positiveInteger, aka: ['total_steps'] },
    pctStart: { rule: number({ what: 'a number in [0, 1]', min: 0, max: 1 }), aka: ['pct_start'] },
    anneal: { rule: oneOf(['cos', 'linear']), aka: ['anneal_strategy'] }, divFactor: { rule: positive, aka: ['div_factor'] },
    finalDivFactor: { rule: positive, aka: ['final_div_factor'] }, threePhase: { rule: flag(), aka: ['three_phase'] },
  },
  cyclic: {
    baseLr: { rule: positive, aka: ['base_lr'] }, maxLr: { rule: positive, required: true, aka: ['max_lr'] },
    stepSizeUp: { rule: positiveInteger, aka: ['step_size_up'] }, stepSizeDown: { rule: nonNegativeInteger, aka: ['step_size_down'] },
    mode: { rule: oneOf(['triangular', 'triangular2', 'exp_range']) }, gamma: { rule: number({ what: 'a number in (0, 1]', above: 0, max: 1 }) },
  },
  plateau: {
    mode: { rule: oneOf(['min', 'max']) }, factor: { rule: number({ what: 'a number in [0, 1)', min: 0, below: 1 }) },
    patience: { rule: nonNegativeInteger }, threshold: { rule: nonNegative }, thresholdMode: { rule: oneOf(['rel', 'abs']), aka: ['threshold_mode'] },
    cooldown: { rule: nonNegativeInteger }, minLr: { rule: nonNegative, aka: ['min_lr'] }, eps: { rule: nonNegative },
    monitor: { rule: oneOf(['testLoss', 'trainLoss']) },
  },
};

export const SCHEDULE_TYPES = Object.keys(scheduleKinds);

const schedule = variants('type', scheduleKinds, { guesses: SCHEDULE_GUESSES });

/** Loss names, with the aliases the trainer accepts. */
const LOSSES: Record<LossName, true> = {
  categoricalCrossentropy: true, sparseCategoricalCrossentropy: true, binaryCrossentropy: true, meanSquaredError: true,
  meanAbsoluteError: true, mse: true, mae: true, crossEntropy: true, softmaxCrossEntropy: true,
};
export const LOSS_NAMES = Object.keys(LOSSES);

const monitor = custom(
  "a metric's name: loss, accuracy, mae, r2, … for training figures; val_loss, val_mae, … held out; testLoss, testMae, … on the test split",
  (v) => typeof v === 'string' && monitoredFigure(v) !== null,
  (v, path) => {
    const guess = typeof v === 'string' ? (monitorNameFor(v) ?? closest(v, MONITOR_NAMES)) : null;
    return `${pathText(path)} must name a metric the run measures (loss, accuracy, mae, r2, with val_ or test: val_mae, testR2), got ${show(v)}` +
      (guess ? ` — did you mean '${guess}'?` : '');
  },
);
const monitorMode: Field = { rule: oneOf(['min', 'max']), hint: "Left out, it is inferred: accuracies and r2 'max', losses and errors 'min'." };

const checkpointFields: FieldsOf<CheckpointSpec> = {
  every: { rule: oneOf(['epoch']), aka: ['frequency', 'saveFreq', 'save_freq'] },
  keepBest: { rule: monitor, aka: ['monitor', 'best', 'saveBestOnly'], hint: "For example keepBest: 'val_accuracy'." },
  mode: monitorMode,
};

const earlyStoppingFields: FieldsOf<EarlyStoppingSpec> = {
  monitor: { rule: monitor },
  patience: { rule: nonNegativeInteger },
  minDelta: { rule: nonNegative, aka: ['min_delta'] },
  mode: monitorMode,
};

const trainingFields: FieldsOf<TrainingSpec> = {
  epochs: { rule: positiveInteger, aka: ['numEpochs', 'nEpochs'] },
  batchSize: { rule: positiveInteger, aka: ['batch'] },
  stepsPerEpoch: { rule: positiveInteger, aka: ['steps_per_epoch', 'batchesPerEpoch'], hint: 'Steps per epoch for a tf.data.Dataset whose size is unknown.' },
  seed: { rule: number({ what: 'an integer', integer: true }) },
  optimizer: { rule: optimizer, aka: ['optim'] },
  loss: { rule: oneOf(LOSS_NAMES, { guesses: { crossentropy: 'categoricalCrossentropy', categorical_crossentropy: 'categoricalCrossentropy', CrossEntropyLoss: 'softmaxCrossEntropy', softmax_cross_entropy: 'softmaxCrossEntropy', MSELoss: 'meanSquaredError', L1Loss: 'meanAbsoluteError', mean_absolute_error: 'meanAbsoluteError' } }) },
  schedule: { rule: schedule, aka: ['lrSchedule', 'scheduler'] },
  gradientEvery: { rule: positiveInteger },
  save: { rule: path, aka: ['saveTo', 'output'], hint: 'A folder, relative to the experiment file, for model.json and its weights.' },
  saveOnStop: { rule: flag(), aka: ['saveWhenStopped'] },
  checkpoint: { rule: object(checkpointFields, "{ every: 'epoch', keepBest?, mode? }"), aka: ['checkpoints', 'modelCheckpoint'] },
  earlyStopping: { rule: object(earlyStoppingFields, '{ monitor, patience, minDelta, mode? }'), aka: ['early_stopping', 'earlyStop'] },
};

// ---- the experiment ---------------------------------------------------------------------------

const freezeEntry = custom('a layer name, a glob, a layer type or an index range (#0-3)',
  (v) => typeof v === 'string' && parseFreezePattern(v).kind !== 'invalid',
  (v, p) => {
    const parsed = typeof v === 'string' ? parseFreezePattern(v) : null;
    return `freeze[${p[p.length - 1]}]: ${parsed?.kind === 'invalid' ? parsed.why : `must be a string, got ${typeof v}`}`;
  });

const experimentFields: FieldsOf<ExperimentSettings & { model: unknown }> = {
  name: { rule: text() },
  model: { rule: fn('a function returning a tf.LayersModel'), required: true },
  data: { rule: data, aka: ['dataset'] },
  training: { rule: object(trainingFields), aka: ['train', 'trainer'] },
  freeze: { rule: listOf(freezeEntry, { what: "a list of layer names, globs, types or index ranges (['conv*', '#0-3'])" }) },
};

export const EXPERIMENT: ObjectRule = object(experimentFields, 'an object with a model() function');

/** The first problem in an experiment's default export (settings and model), or null. */
export function checkExperiment(experiment: unknown): SettingProblem | null {
  return EXPERIMENT.check(experiment, []);
}
