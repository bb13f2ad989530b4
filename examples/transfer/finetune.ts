// Transfer learning, step 2: reuse the pretrained base on a new task (the digits 5–9).
// The base is frozen: its weights stay exactly as pretrained, and only the new head learns, so it
// needs few examples and few steps. Run pretrain.ts first (or set MODEL_LENS_PRETRAINED to its
// model.json). MODEL_LENS_RANDOM_BASE=1 trains the same head on an untrained, frozen base instead:
// the baseline that shows what pretraining bought.
import * as tf from '@tensorflow/tfjs';
import { defineExperiment, loadModel } from 'model-lens';
import { convBase } from './pretrain';

export default defineExperiment({
  name: 'Fine-tune on digits 5–9',
  model: async () => {
    const pretrained = process.env.MODEL_LENS_RANDOM_BASE
      ? convBase()
      : await loadModel(process.env.MODEL_LENS_PRETRAINED ?? './pretrained/model.json');
    // Keep everything up to the flattened features; drop the old 0–4 head.
    const features = pretrained.getLayer('flatten').output as tf.SymbolicTensor;
    const base = tf.model({ inputs: pretrained.inputs, outputs: features, name: 'pretrained_base' });
    base.trainable = false; // frozen: no gradients, no updates
    return tf.sequential({
      name: 'finetuned',
      layers: [
        base,
        tf.layers.dense({ units: 64, activation: 'relu', name: 'new_hidden' }),
        tf.layers.dense({ units: 5, activation: 'softmax', name: 'new_head' }),
      ],
    });
  },
  // Few labelled examples of the new task: where a pretrained base helps most.
  data: { dataset: 'mnist', normalize: { mean: 0.5, std: 0.5 }, classes: [5, 6, 7, 8, 9], limit: 1000 },
  training: {
    epochs: 3,
    batchSize: 32,
    seed: 7,
    optimizer: { type: 'adam', learningRate: 0.001 },
    loss: 'categoricalCrossentropy',
  },
});
