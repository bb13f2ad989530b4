// The words of a non-finite loss's anomaly, for an experiment's step (trainingStep.ts) and a script's
// training call (script/scriptSession.ts): at the first update, the model or its data is the cause;
// later, the training diverged.

const inLayer = (layer: string | null) => (layer ? `; the first layer with a non-finite gradient is "${layer}"` : '');

export interface NonFiniteLoss {
  loss: number;
  /** Where: `step 3 (epoch 1, batch 3)`. */
  at: string;
  /** What the updates train (`the model`, `model "big"`), or null for the run's one model unnamed. */
  trained: string | null;
  /** The first layer whose gradient was not finite, when known. */
  layer: string | null;
}

/** Before any update: not the learning rate. `reads`: what the loss reads (`its loss reads`); `check`: the file for `model-lens check`. */
export function lossBeforeUpdateText(o: NonFiniteLoss & { reads: string; check: string }): string {
  return `the loss is ${o.loss} at ${o.at}, before any update${o.trained ? ` of ${o.trained}` : ''} (so not the learning rate)${inLayer(o.layer)}. ` +
    `Check that the model's output is what ${o.reads} and that the inputs are finite (model-lens check ${o.check}).`;
}

/** After `updates` updates: the training diverged. */
export function lossDivergedText(o: NonFiniteLoss & { updates: number; lr: number }): string {
  return `the loss became ${o.loss} at ${o.at}, after ${o.updates} update${o.updates === 1 ? '' : 's'}${o.trained ? ` of ${o.trained}` : ''}: ` +
    `the training diverged${inLayer(o.layer)}. Lower the learning rate (now ${o.lr}) or normalise the inputs.`;
}
