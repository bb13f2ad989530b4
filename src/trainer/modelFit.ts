// Checks that the experiment's model can train on its data, before any step runs.
import type * as tf from '@tensorflow/tfjs';
import { parseNumber } from '../data/csvCells';
import { inputShapeProblem, type DataSource } from '../data/dataSource';
import type { LoadedModel } from '../model/loadExperiment';
import { UserError } from '../model/userError';
import type { LossDefinition } from './losses';

/** The size of the model's (first) output's last axis: its classes, or 1 for a sigmoid. */
export function outputUnits(model: tf.LayersModel): number {
  const output = model.outputs[0];
  return output?.shape[output.shape.length - 1] ?? 0;
}

/** Checks the model can read the data and its output fits the labels or targets. */
export function checkModelFitsData(loaded: LoadedModel, data: DataSource, loss: LossDefinition): void {
  const { model } = loaded;
  const firstLayer = model.layers[0];
  const where = (firstLayer && loaded.locate(firstLayer)) ?? loaded.locate(model) ?? { file: loaded.file, line: 1, column: 1 };
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new UserError(`training needs a model with one input and one output; this one has ${model.inputs.length} and ${model.outputs.length}.`, where);
  }
  const inputProblem = inputShapeProblem(data, model.inputs[0].shape.slice(1));
  if (inputProblem) {
    const [message, hint] = inputProblem.split(/(?<=\.) (?=Give the first layer)/);
    throw new UserError(message, where, hint ?? null);
  }
  const last = model.layers[model.layers.length - 1];
  const lastSite = (last && loaded.locate(last)) ?? where;
  const units = outputUnits(model);
  if (data.task.kind === 'regression') {
    const width = data.task.targetNames.length;
    if (units !== width) {
      throw new UserError(`the model ends with ${units} output units but "${data.name}" has ${width} number${width === 1 ? '' : 's'} to predict (${data.task.targetNames.join(', ')}).`,
        lastSite, `Make the last layer dense({ units: ${width} }) with no activation (a regression's output is any number).`);
    }
    return;
  }
  const classes = data.task.classNames.length;
  const expected = loss.targets === 'binary' ? 1 : classes;
  const numbers = numericLabels(data.task.classNames);
  if (numbers && (units !== expected || (loss.targets === 'binary' && classes > 2))) {
    // A cross-entropy (the default loss) reads a column of measurements as hundreds of classes.
    const lossSaid = loaded.settings.training?.loss === undefined ? `the default loss ${loss.name}` : `the loss ${loss.name}`;
    throw new UserError(`the label of "${data.name}" holds numbers (${classes} different values such as ${numbers.examples.join(', ')}), which ${lossSaid} reads as ${classes} classes.`,
      lastSite, "To predict the number (regression), set training.loss: 'meanSquaredError' and end the model with dense({ units: 1 }) and no activation." +
      (numbers.fractional ? '' : ` For ${classes} classes, use categoricalCrossentropy with a last layer dense({ units: ${classes}, activation: 'softmax' }).`));
  }
  if (loss.targets === 'binary' && classes > 2) {
    // data.classes is read by the bundled and IDX sets only (a table or folder rejects it).
    const keepTwo = BUNDLED_WITH_CLASSES.includes(data.name) ? ', or keep two classes with data.classes' : '';
    throw new UserError(`loss ${loss.name} needs labels 0 and 1, but "${data.name}" has ${classes} classes (labels 0..${classes - 1}).`,
      lastSite, `Use categoricalCrossentropy with a last layer dense({ units: ${classes}, activation: 'softmax' })${keepTwo}.`);
  }
  if (units !== expected) {
    throw new UserError(`the model ends with ${units} output units but "${data.name}" has ${classes} classes (loss ${loss.name} needs ${expected}).`,
      lastSite, `Make the last layer dense({ units: ${expected}, ... }).`);
  }
}

/** The data sets whose spec takes data.classes. */
const BUNDLED_WITH_CLASSES = ['mnist', 'fashion-mnist', 'idx'];
/** More whole-number classes than this looks like a count or a measurement rather than classes. */
const MANY_NUMBERED_CLASSES = 20;

/**
 * When the class names are all numbers and look like a quantity to predict (any with a fraction, or
 * many whole numbers): a few of them and whether any has a fraction; else null.
 */
function numericLabels(classNames: readonly string[]): { examples: string[]; fractional: boolean } | null {
  if (classNames.length <= 2 || !classNames.every((c) => !Number.isNaN(parseNumber(c)))) return null;
  const fractional = classNames.some((c) => !Number.isInteger(parseNumber(c)));
  return fractional || classNames.length > MANY_NUMBERED_CLASSES ? { examples: classNames.slice(0, 3), fractional } : null;
}
