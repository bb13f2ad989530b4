// Checks that the experiment's model can train on its data set, before any step runs.
import type * as tf from '@tensorflow/tfjs';
import type { LoadedDataset } from '../data/dataset';
import type { LoadedModel } from '../model/loadExperiment';
import { UserError } from '../model/userError';
import type { LossDefinition } from './losses';

function sameShape(a: readonly (number | null)[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === null || d === b[i]);
}

/** The size of the model's (first) output's last axis: its classes, or 1 for a sigmoid. */
export function outputUnits(model: tf.LayersModel): number {
  const output = model.outputs[0];
  return output?.shape[output.shape.length - 1] ?? 0;
}

/** Checks the model can read the data set and its output fits the labels. */
export function checkModelFitsData(loaded: LoadedModel, data: LoadedDataset, loss: LossDefinition): void {
  const { model } = loaded;
  const firstLayer = model.layers[0];
  const where = (firstLayer && loaded.locate(firstLayer)) ?? loaded.locate(model) ?? { file: loaded.file, line: 1, column: 1 };
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new UserError(`training needs a model with one input and one output; this one has ${model.inputs.length} and ${model.outputs.length}.`, where);
  }
  const inShape = model.inputs[0].shape.slice(1);
  if (!sameShape(inShape, data.inputShape)) {
    throw new UserError(`the model's input shape [${inShape.join(', ')}] does not fit the "${data.name}" samples, shaped [${data.inputShape.join(', ')}].`,
      where, `Give the first layer inputShape: [${data.inputShape.join(', ')}].`);
  }
  const last = model.layers[model.layers.length - 1];
  const lastSite = (last && loaded.locate(last)) ?? where;
  if (loss.targets === 'binary' && data.numClasses > 2) {
    throw new UserError(`loss ${loss.name} needs labels 0 and 1, but "${data.name}" has ${data.numClasses} classes (labels 0..${data.numClasses - 1}).`,
      lastSite, `Use categoricalCrossentropy with a last layer dense({ units: ${data.numClasses}, activation: 'softmax' }), or keep two classes with data.classes.`);
  }
  const units = outputUnits(model);
  const expected = loss.targets === 'binary' ? 1 : data.numClasses;
  if (units !== expected) {
    throw new UserError(`the model ends with ${units} output units but "${data.name}" has ${data.numClasses} classes (loss ${loss.name} needs ${expected}).`,
      lastSite, `Make the last layer dense({ units: ${expected}, ... }).`);
  }
}
