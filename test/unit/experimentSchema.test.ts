import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DATASET_NAMES } from '../../src/data/dataset';
import { UserError } from '../../src/model/userError';
import {
  checkExperiment, DATASET_KINDS, EXPERIMENT, LOSS_NAMES, OPTIMIZER_TYPES, SCHEDULE_TYPES,
} from '../../src/protocol/experimentSchema';
import { closest, type ObjectRule, type SettingPath } from '../../src/protocol/settingRules';
import { lossDefinition } from '../../src/trainer/losses';
import { STREAMED_DATASETS } from '../../src/trainer/trainingData';
import { createSchedule } from '../../src/trainer/lrSchedule';
import { createOptimizer } from '../../src/trainer/optimizers';

const model = () => null;
const withTraining = (training: Record<string, unknown>) => ({ model, training });
const withData = (data: Record<string, unknown>) => ({ model, data });
const withSchedule = (schedule: Record<string, unknown>) => withTraining({ schedule });
const withOptimizer = (optimizer: Record<string, unknown>) => withTraining({ optimizer });

function problemOf(experiment: unknown, path: SettingPath, message: string): void {
  const p = checkExperiment(experiment);
  assert.ok(p, `expected a problem: ${message}`);
  assert.equal(p.message, message);
  assert.deepEqual(p.path, path);
}

describe('the experiment spec: what it accepts', () => {
  it('accepts every setting written as documented', () => {
    const full = {
      name: 'MNIST MLP', model,
      data: { dataset: 'mnist', normalize: { mean: 0.5, std: 0.5 }, limit: 1000, testLimit: 100, classes: [5, 6, 7], folder: './mnist' },
      training: {
        epochs: 5, batchSize: 128, seed: 2023, optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: true },
        loss: 'categoricalCrossentropy', schedule: { type: 'cosine', tMax: 5, etaMin: 0 }, gradientEvery: 20, save: 'trained',
      },
      freeze: ['conv*', 'Conv2D', '#0-3', '#2', '0-3', 'block1/conv_1.a', 'dense?'],
    };
    assert.equal(checkExperiment(full), null);
  });

  it('accepts each data set, optimizer and schedule kind with its own fields', () => {
    const ok = [
      withData({ dataset: 'fashion-mnist', folder: 'f' }), withData({ dataset: 'idx', folder: 'f', classNames: ['a', 'b'], numClasses: 2 }),
      withData({ dataset: 'spiral', numSamples: 400, noise: 10, percTrainData: 50 }), withData({ dataset: 'MNIST' }),
      withOptimizer({ type: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }),
      withOptimizer({ type: 'rmsprop', learningRate: 0.01, decay: 0.99, momentum: 0, epsilon: 1e-8, centered: false }),
      withOptimizer({ type: 'adagrad', learningRate: 0.01, initialAccumulatorValue: 0.1 }),
      withOptimizer({ type: 'momentum', learningRate: 0.01, momentum: 0.9 }),
      withSchedule({ type: 'none' }), withSchedule({ type: 'step', stepSize: 2, gamma: 0.5 }), withSchedule({ type: 'exponential', gamma: 0.9 }),
      withSchedule({ type: 'cosineWarmRestarts', t0: 3, tMult: 2, etaMin: 0 }),
      withSchedule({ type: 'oneCycle', maxLr: 0.1, totalSteps: 100, pctStart: 0.3, anneal: 'linear', divFactor: 25, finalDivFactor: 1e4, threePhase: false }),
      withSchedule({ type: 'cyclic', baseLr: 0.001, maxLr: 0.01, stepSizeUp: 10, stepSizeDown: 5, mode: 'exp_range', gamma: 0.99 }),
      withSchedule({ type: 'plateau', mode: 'max', factor: 0.5, patience: 2, threshold: 0.01, thresholdMode: 'abs', cooldown: 1, minLr: 0, eps: 1e-8, monitor: 'trainLoss' }),
    ];
    for (const e of ok) assert.equal(checkExperiment(e), null, JSON.stringify(e));
  });

  it('accepts checkpoints and early stopping as Keras names them, with or without a mode', () => {
    for (const training of [
      { checkpoint: { every: 'epoch' } }, { checkpoint: { every: 'epoch', keepBest: 'val_accuracy' } },
      { checkpoint: { keepBest: 'loss', mode: 'min' } },
      { earlyStopping: { monitor: 'val_loss', patience: 3, minDelta: 0.001 } }, { earlyStopping: { monitor: 'accuracy', mode: 'max' } },
      { earlyStopping: { monitor: 'mae' } }, { earlyStopping: { monitor: 'val_mae' } }, { earlyStopping: { monitor: 'testR2' } },
      { checkpoint: { keepBest: 'val_r2' } }, { checkpoint: { keepBest: 'testMae' } }, { checkpoint: { keepBest: 'testLoss' } },
      { earlyStopping: {} },
    ]) assert.equal(checkExperiment(withTraining(training)), null, JSON.stringify(training));
  });

  it('takes a key set to undefined (a spread or an optional variable) as not written', () => {
    assert.equal(checkExperiment({ model, training: { epochs: undefined, epoch: undefined } }), null);
  });
});

describe('the experiment spec: unknown keys, with the key meant', () => {
  it('suggests the key a typo meant, in the object where it is written', () => {
    problemOf(withTraining({ epoch: 1 }), ['training', 'epoch'], 'unknown key `epoch` in training — did you mean `epochs`?');
    problemOf(withTraining({ optimiser: { type: 'adam', learningRate: 0.001 } }), ['training', 'optimiser'],
      'unknown key `optimiser` in training — did you mean `optimizer`?');
    problemOf(withOptimizer({ type: 'adam', lr: 0.001 }), ['training', 'optimizer', 'lr'],
      'unknown key `lr` in training.optimizer — did you mean `learningRate`?');
    problemOf(withTraining({ batch_size: 32 }), ['training', 'batch_size'], 'unknown key `batch_size` in training — did you mean `batchSize`?');
    problemOf(withSchedule({ type: 'step', step_size: 3 }), ['training', 'schedule', 'step_size'],
      'unknown key `step_size` in training.schedule — did you mean `stepSize`?');
  });

  it('points a key written one level too high to where it belongs', () => {
    problemOf({ model, epochs: 3 }, ['epochs'], 'unknown key `epochs` in the experiment — did you mean `training.epochs`?');
    problemOf({ model, dataset: 'mnist' }, ['dataset'], 'unknown key `dataset` in the experiment — did you mean `data`?');
  });

  it('knows each kind’s own keys: a field of another kind is unknown', () => {
    problemOf(withData({ dataset: 'xor', folder: 'x' }), ['data', 'folder'], 'unknown key `folder` in data');
    problemOf(withOptimizer({ type: 'sgd', learningRate: 0.1, beta1: 0.9 }), ['training', 'optimizer', 'beta1'], 'unknown key `beta1` in training.optimizer');
    problemOf(withSchedule({ type: 'cosine', tMax: 3, gamma: 0.1 }), ['training', 'schedule', 'gamma'], 'unknown key `gamma` in training.schedule');
  });

  it('lists what the object accepts in the hint', () => {
    const p = checkExperiment(withTraining({ epoch: 1 }))!;
    assert.match(p.hint!, /^training accepts epochs, batchSize, stepsPerEpoch, seed, optimizer, loss, schedule, gradientEvery, save, saveOnStop, checkpoint, earlyStopping\.$/);
  });
});

describe('the experiment spec: unknown values, with the value meant', () => {
  it('names the optimizer, loss, schedule and data set lists, and the one a typo meant', () => {
    problemOf(withOptimizer({ type: 'adamw', learningRate: 0.001 }), ['training', 'optimizer', 'type'],
      "training.optimizer.type must be one of 'sgd', 'momentum', 'adam', 'rmsprop', 'adagrad', got \"adamw\" — did you mean 'adam'?");
    problemOf(withTraining({ loss: 'meanSquaredErorr' }), ['training', 'loss'],
      `training.loss must be one of ${LOSS_NAMES.map((l) => `'${l}'`).join(', ')}, got "meanSquaredErorr" — did you mean 'meanSquaredError'?`);
    problemOf(withSchedule({ type: 'StepLR', stepSize: 1 }), ['training', 'schedule', 'type'],
      `training.schedule.type must be one of ${SCHEDULE_TYPES.map((l) => `'${l}'`).join(', ')}, got "StepLR" — did you mean 'step'?`);
    problemOf(withData({ dataset: 'mnsit' }), ['data', 'dataset'],
      `data.dataset must be one of ${DATASET_KINDS.map((l) => `'${l}'`).join(', ')}, got "mnsit" — did you mean 'mnist'?`);
    problemOf(withSchedule({ type: 'cyclic', maxLr: 1, mode: 'triangle' }), ['training', 'schedule', 'mode'],
      "training.schedule.mode must be one of 'triangular', 'triangular2', 'exp_range', got \"triangle\" — did you mean 'triangular'?");
  });

  it('names the figures checkpoints and early stopping can watch, and the one meant', () => {
    const mustName = (key: string, got: string, meant: string) =>
      `training.${key} must name a metric the run measures (loss, accuracy, mae, r2, with val_ or test: val_mae, testR2), got "${got}" — did you mean '${meant}'?`;
    problemOf(withTraining({ earlyStopping: { monitor: 'val_acc' } }), ['training', 'earlyStopping', 'monitor'], mustName('earlyStopping.monitor', 'val_acc', 'val_accuracy'));
    problemOf(withTraining({ earlyStopping: { monitor: 'val_mean_absolute_error' } }), ['training', 'earlyStopping', 'monitor'],
      mustName('earlyStopping.monitor', 'val_mean_absolute_error', 'val_mae'));
    problemOf(withTraining({ checkpoint: { keepBest: 'test_r2' } }), ['training', 'checkpoint', 'keepBest'], mustName('checkpoint.keepBest', 'test_r2', 'testR2'));
    problemOf(withTraining({ checkpoint: { keepBest: 'val_maee' } }), ['training', 'checkpoint', 'keepBest'], mustName('checkpoint.keepBest', 'val_maee', 'val_mae'));
    problemOf(withTraining({ checkpoint: { every: 'batch' } }), ['training', 'checkpoint', 'every'],
      "training.checkpoint.every must be one of 'epoch', got \"batch\"");
    problemOf(withTraining({ earlyStopping: { patience: -1 } }), ['training', 'earlyStopping', 'patience'],
      'training.earlyStopping.patience must be an integer ≥ 0, got -1');
  });

  it('says which required key is missing, at the object that lacks it', () => {
    problemOf(withOptimizer({ type: 'adam' }), ['training', 'optimizer'], 'training.optimizer needs `learningRate` (a number ≥ 0)');
    problemOf(withSchedule({ type: 'cosine' }), ['training', 'schedule'], 'training.schedule needs `tMax` (a positive integer)');
    problemOf(withOptimizer({ learningRate: 0.1 }), ['training', 'optimizer'],
      "training.optimizer needs `type`: one of 'sgd', 'momentum', 'adam', 'rmsprop', 'adagrad'");
  });
});

describe('the experiment spec: values out of range', () => {
  const cases: [string, unknown, SettingPath, string][] = [
    ['a fractional batch size', withTraining({ batchSize: 0.5 }), ['training', 'batchSize'], 'training.batchSize must be a positive integer, got 0.5'],
    ['a batch size of 0', withTraining({ batchSize: 0 }), ['training', 'batchSize'], 'training.batchSize must be a positive integer, got 0'],
    ['a negative batch size', withTraining({ batchSize: -8 }), ['training', 'batchSize'], 'training.batchSize must be a positive integer, got -8'],
    ['a NaN batch size', withTraining({ batchSize: Number.NaN }), ['training', 'batchSize'], 'training.batchSize must be a positive integer, got NaN'],
    ['NaN epochs', withTraining({ epochs: Number.NaN }), ['training', 'epochs'], 'training.epochs must be a positive integer, got NaN'],
    ['0 epochs', withTraining({ epochs: 0 }), ['training', 'epochs'], 'training.epochs must be a positive integer, got 0'],
    ['epochs as a string', withTraining({ epochs: '5' }), ['training', 'epochs'], 'training.epochs must be a positive integer, got "5"'],
    ['a NaN learning rate', withOptimizer({ type: 'sgd', learningRate: Number.NaN }), ['training', 'optimizer', 'learningRate'], 'training.optimizer.learningRate must be a number ≥ 0, got NaN'],
    ['an infinite learning rate', withOptimizer({ type: 'sgd', learningRate: Infinity }), ['training', 'optimizer', 'learningRate'], 'training.optimizer.learningRate must be a number ≥ 0, got Infinity'],
    ['a negative learning rate', withOptimizer({ type: 'sgd', learningRate: -0.1 }), ['training', 'optimizer', 'learningRate'], 'training.optimizer.learningRate must be a number ≥ 0, got -0.1'],
    ['save as a number', withTraining({ save: 3 }), ['training', 'save'], 'training.save must be a path (a non-empty string), got 3'],
    ['save as an empty string', withTraining({ save: '' }), ['training', 'save'], 'training.save must be a path (a non-empty string), got ""'],
    ['nesterov as a string', withOptimizer({ type: 'sgd', learningRate: 0.1, nesterov: 'yes' }), ['training', 'optimizer', 'nesterov'], 'training.optimizer.nesterov must be true or false, got "yes"'],
    ['a normalize std of 0', withData({ dataset: 'mnist', normalize: { mean: 0, std: 0 } }), ['data', 'normalize', 'std'], 'data.normalize.std must be a finite number other than 0, got 0'],
    ['a limit of 0', withData({ dataset: 'mnist', limit: 0 }), ['data', 'limit'], 'data.limit must be a positive integer, got 0'],
    ['a class listed twice', withData({ dataset: 'mnist', classes: [1, 1] }), ['data', 'classes', 1], 'data.classes lists 1 twice'],
    ['a noise above 50', withData({ dataset: 'xor', noise: 80 }), ['data', 'noise'], 'data.noise must be a number from 0 to 50 (percent, as the playground slider), got 80'],
    ['a gamma of 0 in a step schedule', withSchedule({ type: 'step', stepSize: 1, gamma: 0 }), ['training', 'schedule', 'gamma'], 'training.schedule.gamma must be a number > 0, got 0'],
    ['a name that is not a string', { model, name: 5 }, ['name'], 'name must be a string, got 5'],
    ['training as a list', { model, training: [] }, ['training'], 'training must be an object, got []'],
  ];
  for (const [name, experiment, path, message] of cases) {
    it(`rejects ${name}`, () => problemOf(experiment, path, message));
  }
});

describe('the experiment spec: freeze entries', () => {
  it('rejects entries that can match no layer, at the entry', () => {
    problemOf({ model, freeze: 'conv1' }, ['freeze'], "freeze must be a list of layer names, globs, types or index ranges (['conv*', '#0-3']), got \"conv1\"");
    problemOf({ model, freeze: ['a', 3] }, ['freeze', 1], 'freeze[1]: must be a string, got number');
    problemOf({ model, freeze: ['dense 1'] }, ['freeze', 0], 'freeze[0]: "dense 1" can match no layer: names hold letters, digits and - . _ / (patterns add * and ?)');
    problemOf({ model, freeze: ['#a'] }, ['freeze', 0], `freeze[0]: "#a" is not an index range; write '#2' or '#0-3'`);
    problemOf({ model, freeze: ['#3-1'] }, ['freeze', 0], "freeze[0]: the range #3-1 ends before it starts; write '#1-3'");
  });
});

describe('the experiment spec agrees with the trainer', () => {
  const fieldsOf = (rule: ObjectRule, value: unknown) => rule.fieldsFor(value);
  const training = fieldsOf(EXPERIMENT, {}).training.rule as ObjectRule;
  const schedule = fieldsOf(training, {}).schedule.rule as ObjectRule;
  const ctx = { baseLr: 0.1, epochs: 2, stepsPerEpoch: 3 };
  const userMessage = (f: () => unknown): string => {
    try {
      f();
      return '';
    } catch (e) {
      assert.ok(e instanceof UserError, String(e));
      return e.message;
    }
  };

  it('lists the data sets the loader knows', () => assert.deepEqual([...DATASET_KINDS].sort(), [...DATASET_NAMES, ...STREAMED_DATASETS].sort()));

  it('lists optimizers the trainer builds', () => {
    for (const type of OPTIMIZER_TYPES) assert.doesNotMatch(userMessage(() => createOptimizer({ type, learningRate: 0.1 })), /unknown optimizer/);
    assert.match(userMessage(() => createOptimizer({ type: 'nadam', learningRate: 0.1 })), /unknown optimizer/);
  });

  it('lists losses the trainer knows', () => {
    for (const name of LOSS_NAMES) assert.equal(userMessage(() => lossDefinition(name, name === 'binaryCrossentropy' ? 1 : 10)), '');
  });

  it('gives each schedule type the fields the schedule library reads', () => {
    for (const type of SCHEDULE_TYPES) {
      assert.doesNotMatch(userMessage(() => createSchedule({ type }, ctx)), /unknown schedule type/, type);
      for (const field of Object.keys(fieldsOf(schedule, { type })).filter((f) => f !== 'type')) {
        assert.doesNotMatch(userMessage(() => createSchedule({ type, [field]: 'not a value' }, ctx)), /unknown field/, `${type}.${field}`);
      }
      assert.match(userMessage(() => createSchedule({ type, notAField: 1 }, ctx)), /unknown field/, type);
    }
  });
});

describe('the key a typo meant', () => {
  it('matches case, underscores and small edits, and gives up on unrelated words', () => {
    assert.equal(closest('learning_rate', ['learningRate', 'momentum']), 'learningRate');
    assert.equal(closest('epoch', ['epochs', 'seed']), 'epochs');
    assert.equal(closest('optimiser', ['optimizer', 'loss']), 'optimizer');
    assert.equal(closest('lr', ['learningRate'], () => ['lr']), 'learningRate');
    assert.equal(closest('colour', ['epochs', 'seed', 'loss']), null);
  });
});

describe('the experiment spec: your own data (CSV tables, image folders, data functions)', () => {
  it('accepts a CSV table, an image folder and a data function written as documented', () => {
    const ok = [
      withData({ dataset: 'csv', file: './t.csv', label: 'y', features: ['a', 'b'], categorical: ['b'], missing: 'mean', testSplit: 0.25, delimiter: ';', limit: 10 }),
      withData({ dataset: 'csv', file: './t.csv', label: 'y', categorical: 'auto' }),
      withData({ dataset: 'images', folder: './photos', size: [64, 48], channels: 3, testSplit: 0.1,
        normalize: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }, augment: { flipHorizontal: true, randomCrop: { padding: 4 } } }),
      withData({ dataset: 'images', folder: './train', testFolder: './test', size: [28, 28], channels: 1 }),
      { model, data: () => ({ train: { x: [[1]], y: [0] } }) },
      { model, data: async () => ({ train: { x: [[1]], y: [0] } }), training: { stepsPerEpoch: 100, loss: 'mae' } },
    ];
    for (const e of ok) assert.equal(checkExperiment(e), null, JSON.stringify(e));
  });

  it('asks for the settings a CSV table and an image folder cannot do without', () => {
    problemOf(withData({ dataset: 'csv', label: 'y' }), ['data'], 'data needs `file` (a path (a non-empty string))');
    problemOf(withData({ dataset: 'csv', file: 't.csv' }), ['data'], 'data needs `label` (a column name (a non-empty string))');
    problemOf(withData({ dataset: 'images', folder: 'p', channels: 3 }), ['data'], 'data needs `size` ([height, width] in pixels)');
    problemOf(withData({ dataset: 'images', folder: 'p', size: [8, 8] }), ['data'], 'data needs `channels` (1 (grayscale) or 3 (RGB))');
  });

  it('refuses wrong values at their key, with what to write', () => {
    problemOf(withData({ dataset: 'csv', file: 't.csv', label: 'y', missing: 'skip' }), ['data', 'missing'],
      "data.missing must be one of 'drop', 'error', 'mean', got \"skip\"");
    problemOf(withData({ dataset: 'csv', file: 't.csv', label: 'y', testSplit: 20 }), ['data', 'testSplit'],
      'data.testSplit must be a fraction from 0 to below 1, got 20');
    problemOf(withData({ dataset: 'csv', file: 't.csv', label: 'y', categorical: 'all' }), ['data', 'categorical'],
      "data.categorical must be a list of column names or 'auto', got \"all\"");
    problemOf(withData({ dataset: 'images', folder: 'p', size: [8], channels: 3 }), ['data', 'size'], 'data.size must be [height, width] in pixels, got [8]');
    problemOf(withData({ dataset: 'images', folder: 'p', size: [8, 8], channels: 4 }), ['data', 'channels'], 'data.channels must be 1 (grayscale) or 3 (RGB), got 4');
    problemOf(withData({ dataset: 'images', folder: 'p', size: [8, 8], channels: 3, normalize: { mean: 0.5, std: 0.5 } }), ['data', 'normalize', 'mean'],
      'data.normalize.mean must be a list of numbers, one per channel, got 0.5');
    problemOf(withTraining({ stepsPerEpoch: 0 }), ['training', 'stepsPerEpoch'], 'training.stepsPerEpoch must be a positive integer, got 0');
  });

  it('names the key a typo meant, among the kind\'s own keys', () => {
    const p = checkExperiment(withData({ dataset: 'csv', file: 't.csv', label: 'y', categorial: 'auto' }))!;
    assert.deepEqual(p.path, ['data', 'categorial']);
    assert.match(p.message, /did you mean `categorical`\?/);
    const q = checkExperiment(withData({ dataset: 'images', folder: 'p', size: [8, 8], channels: 3, augmentation: {} }))!;
    assert.match(q.message, /unknown key `augmentation` in data/);
    const r = checkExperiment(withData({ dataset: 'csv', file: 't.csv', target: 'y' }))!;
    assert.match(r.message, /did you mean `label`\?/);
  });

  it('knows MAE as a loss', () => {
    for (const loss of ['meanAbsoluteError', 'mae']) assert.equal(checkExperiment(withTraining({ loss })), null);
    assert.match(checkExperiment(withTraining({ loss: 'L1Loss' }))!.message, /did you mean 'meanAbsoluteError'\?/);
  });
});
