// The model doctor before training: the model's output against what its loss reads (probabilities
// or logits); the inputs' scale is inputScale.ts's. Each finding is a `diagnosis` with the fixes
// that write a setting; `check` prints them, a run stops on an error before its first step.
import type * as tf from '@tensorflow/tfjs';
import type { LoadedModel } from '../model/loadExperiment';
import { isModel, type LayerLike } from '../model/modelStructure';
import type { DiagnosisMessage } from '../protocol/doctorMessages';
import type { SourceLocation } from '../protocol/modelInfo';
import { lossExpects } from './losses';
import { outputUnits } from './modelFit';

/** Layers that pass their input's values through unchanged in scale (so the activation is further back). */
const PASS_THROUGH = new Set(['Dropout', 'Flatten', 'Reshape', 'GaussianNoise', 'AlphaDropout', 'SpatialDropout1D', 'SpatialDropout2D']);

interface LayerWithOutput extends LayerLike {
  outputs?: { sourceLayer?: LayerLike }[];
}

/** The activation a layer applies last: its `activation` setting, or what an Activation/Softmax/ReLU layer is. */
export function layerActivation(layer: LayerLike): string {
  const type = layer.getClassName();
  if (type === 'Softmax') return 'softmax';
  if (type === 'ReLU') return 'relu';
  if (type === 'LeakyReLU' || type === 'PReLU' || type === 'ELU') return type.toLowerCase();
  const config = layer.getConfig();
  return typeof config.activation === 'string' ? config.activation : 'linear';
}

/** The layer whose activation shapes the model's output, through nested models and pass-through layers. */
export function outputLayer(model: tf.LayersModel): LayerLike | null {
  let layer = (model.outputs[0] as unknown as { sourceLayer?: LayerLike } | undefined)?.sourceLayer ?? null;
  for (let hops = 0; layer && hops < 100; hops++) {
    if (isModel(layer)) {
      layer = (layer as LayerWithOutput).outputs?.[0]?.sourceLayer ?? null;
    } else if (PASS_THROUGH.has(layer.getClassName())) {
      layer = layer.inboundNodes[0]?.inboundLayers[0] ?? null;
    } else {
      return layer;
    }
  }
  return null;
}

const PROBABILITY_ACTIVATIONS = new Set(['softmax', 'sigmoid']);

/** Layers that read their input as indices (token or category ids), whose values have no scale to normalise. */
const INDEX_LAYERS = new Set(['Embedding', 'CategoryEncoding']);

interface ModelInputs {
  layers?: LayerLike[];
  inputLayers?: { outboundNodes?: { outboundLayer?: LayerLike }[] }[];
}

/** The layers the model's first input goes into (a Sequential's first layer, built or not). */
function firstLayers(model: LayerLike | tf.LayersModel): LayerLike[] {
  const m = model as unknown as ModelInputs & { getClassName(): string };
  if (m.getClassName() === 'Sequential') return m.layers?.slice(0, 1) ?? [];
  return m.inputLayers?.[0]?.outboundNodes?.flatMap((n) => (n.outboundLayer ? [n.outboundLayer] : [])) ?? [];
}

/**
 * Whether the model reads its first input as indices: it goes into an Embedding (or CategoryEncoding),
 * directly or as the first layer of a nested model. Token ids are then not inputs to normalise.
 */
export function inputReadAsIndices(model: LayerLike | tf.LayersModel): boolean {
  let layers = firstLayers(model);
  for (let depth = 0; depth < 10 && layers.length > 0; depth++) {
    if (layers.some((l) => INDEX_LAYERS.has(l.getClassName()))) return true;
    layers = layers.filter((l) => isModel(l)).flatMap(firstLayers);
  }
  return false;
}

/** How a script's compiled loss is written, for its messages (a script has no `training.loss` to fix). */
export interface ScriptLoss {
  /** `'categoricalCrossentropy'`, `tf.losses.softmaxCrossEntropy`. */
  shown: string;
}

/**
 * The model's output against its loss: logits into a loss that wants probabilities, or a softmax
 * before one that applies its own. For a script (`script` given) the loss's alternative is told in
 * the message, not offered as a setting to write.
 */
export function diagnoseOutput(loaded: LoadedModel, lossName: string | undefined, script?: ScriptLoss): DiagnosisMessage[] {
  const units = outputUnits(loaded.model);
  const expects = lossExpects(lossName, units);
  const layer = outputLayer(loaded.model);
  if (!layer || !expects) return [];
  const activation = layerActivation(layer);
  const source = loaded.locate(layer);
  const written = lossName ?? (units === 1 ? 'binaryCrossentropy' : 'categoricalCrossentropy');
  const shown = script?.shown ?? (lossName ? written : `${written} (the default for ${units} output unit${units === 1 ? '' : 's'})`);
  if (expects === 'probabilities' && !PROBABILITY_ACTIVATIONS.has(activation)) {
    const wanted = units === 1 ? 'sigmoid' : 'softmax';
    const outputs = activation === 'linear' ? `logits (no activation: 'linear')` : `${activation} outputs, not probabilities`;
    // tfjs's own losses clip their input into (0, 1) where ours (and PyTorch's) give NaN.
    const consequence = script ? "tfjs's loss clips them into (0, 1), so it learns from meaningless values" : 'its log of a logit ≤ 0 is NaN at the first step';
    const instead = script && units > 1 ? ' Or compile with loss: tf.losses.softmaxCrossEntropy, which reads logits.' : '';
    // No loss written: the model may well be a regression, which the default loss does not fit.
    const regression = !lossName && !script;
    const orRegression = regression ? " If the targets are numbers (a regression), set training.loss: 'meanSquaredError' instead." : '';
    const fixes: DiagnosisMessage['fixes'] = units === 1
      ? [{ kind: 'setActivation', title: "Add activation: 'sigmoid' to the last layer", layer: layer.name, activation: 'sigmoid' }]
      : [
        { kind: 'setActivation', title: "Add activation: 'softmax' to the last layer", layer: layer.name, activation: 'softmax' },
        { kind: 'setLoss', title: "Use the loss 'softmaxCrossEntropy' (from logits, as PyTorch's CrossEntropyLoss)", loss: 'softmaxCrossEntropy' },
      ];
    if (regression) fixes.push({ kind: 'setLoss', title: "Use the loss 'meanSquaredError' (numeric targets: a regression)", loss: 'meanSquaredError' });
    return [diagnosis('logitsIntoProbabilityLoss', 'error', layer, source,
      `the last layer "${layer.name}" emits ${outputs}, but the loss ${shown} expects ${wanted} probabilities ` +
      `(${consequence}): the ${wanted} is missing.${instead}${orRegression}`, fixes)];
  }
  if (expects === 'logits' && PROBABILITY_ACTIVATIONS.has(activation)) {
    const instead = script ? " Or compile with loss: 'categoricalCrossentropy', which reads probabilities." : '';
    return [diagnosis('softmaxBeforeLogitLoss', 'warning', layer, source,
      `the last layer "${layer.name}" applies a ${activation}, and the loss ${script?.shown ?? written} applies its own softmax: ` +
      `the model trains on softmax(softmax(z)), whose gradients are flattened (PyTorch's nn.Softmax before CrossEntropyLoss).${instead}`,
      [
        { kind: 'setActivation', title: `Remove the ${activation} from the last layer (the loss applies it)`, layer: layer.name, activation: null },
        { kind: 'setLoss', title: "Use the loss 'categoricalCrossentropy' (reads probabilities)", loss: 'categoricalCrossentropy' },
      ])];
  }
  return [];
}

function diagnosis(code: DiagnosisMessage['code'], severity: DiagnosisMessage['severity'], layer: LayerLike, source: SourceLocation | null,
  message: string, fixes: DiagnosisMessage['fixes']): DiagnosisMessage {
  return { type: 'diagnosis', code, severity, step: null, layer: layer.name, source, message, fixes };
}

/** The hint line of an error diagnosis: its fixes as alternatives. */
export function fixesHint(d: DiagnosisMessage): string | null {
  return d.fixes.length ? `Fix: ${d.fixes.map((f) => f.title).join('; or ')}.` : null;
}
