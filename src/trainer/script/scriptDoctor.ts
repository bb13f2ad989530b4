// The model doctor for a user's script: a compiled model's output against its `model.loss` (the same
// diagnoseOutput as experiments, at the script's layer line), and the values a custom loop hands to
// tfjs's loss functions on their first call (lossInputs.ts). A script has no settings to write, so
// the only fix kept is adding or removing a layer's activation, and only where the layer's options
// are an object literal the parser can edit.
import type * as tfType from '@tensorflow/tfjs';
import type { LoadedModel } from '../../model/loadExperiment';
import type { DiagnosisMessage } from '../../protocol/doctorMessages';
import type { SourceLocation } from '../../protocol/modelInfo';
import { editLayerActivation } from '../../source/doctorEdit';
import { diagnoseOutput } from '../modelDoctor';
import { CHECKED_LOSSES, judgeLossInput, valueRange, type CheckedLoss } from './lossInputs';

type Tf = typeof tfType;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (this: any, ...args: any[]) => unknown;

/** tf.losses / tf.metrics functions (their tfjs names, `__op` left out) as the compiled string loss that reads the output alike. */
const FUNCTION_LOSSES: Record<string, string> = {
  softmaxCrossEntropy: 'softmaxCrossEntropy',
  logLoss: 'binaryCrossentropy',
  categoricalCrossentropy: 'categoricalCrossentropy',
  binaryCrossentropy: 'binaryCrossentropy',
  sparseCategoricalCrossentropy: 'sparseCategoricalCrossentropy',
};

/** The loss a model was compiled with, under the doctor's name and as the script wrote it; null when it is not one the doctor reads. */
export function compiledLoss(loss: unknown): { name: string; shown: string } | null {
  const first = Array.isArray(loss) ? loss[0] : loss;
  if (typeof first === 'string') return { name: first, shown: `'${first}'` };
  if (typeof first !== 'function') return null;
  const key = first.name.replace(/__op$/, '');
  const name = FUNCTION_LOSSES[key];
  if (!name) return null;
  return { name, shown: CHECKED_LOSSES.losses[key]?.shown ?? CHECKED_LOSSES.metrics[key]?.shown ?? key };
}

/** Reads a source file's text; null when it cannot. */
export type ReadText = (file: string) => string | null;

/** Only the fixes the parser can apply to the script's text at the diagnosis's line. */
export function scriptFixes(d: DiagnosisMessage, readText: ReadText): DiagnosisMessage['fixes'] {
  return d.fixes.filter((fix) => {
    if (fix.kind !== 'setActivation' || !d.source) return false;
    const text = readText(d.source.file);
    return text !== null && editLayerActivation(text, d.source.file, d.source, fix.activation).kind === 'edit';
  });
}

/**
 * A compiled model's output against its loss. `recognised`: the doctor read the loss, so its calls
 * during fit need no check of their values.
 */
export function diagnoseCompiled(loaded: LoadedModel, loss: unknown, readText: ReadText): { diagnoses: DiagnosisMessage[]; recognised: boolean } {
  const named = compiledLoss(loss);
  if (!named) return { diagnoses: [], recognised: false };
  const diagnoses = diagnoseOutput(loaded, named.name, { shown: named.shown }).map((d) => ({ ...d, fixes: scriptFixes(d, readText) }));
  return { diagnoses, recognised: true };
}

export interface LossCheckContext {
  /** Whether the call's values are to be read now (not while a compiled model whose loss was read trains; not on webgpu). */
  wanted(): boolean;
  /** The script's line of the call being made. */
  locate(): SourceLocation | null;
  report(d: DiagnosisMessage): void;
}

/**
 * The script's `tf.losses` and `tf.metrics` with the checked functions wrapped: each reads its
 * predictions once, on its first call that `wanted`, and passes every call through unchanged.
 */
export function checkLossInputs(tf: Tf, userTf: Tf, context: LossCheckContext): void {
  for (const space of ['losses', 'metrics'] as const) {
    const original = tf[space] as unknown as Record<string, AnyFn>;
    const copy: Record<string, unknown> = { ...original };
    for (const [key, loss] of Object.entries(CHECKED_LOSSES[space])) {
      if (typeof original[key] === 'function') copy[key] = checkedOnce(tf, original[key], loss, context);
    }
    (userTf as unknown as Record<string, unknown>)[space] = copy;
  }
}

function checkedOnce(tf: Tf, fn: AnyFn, loss: CheckedLoss, context: LossCheckContext): AnyFn {
  let done = false;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    if (!done && context.wanted()) {
      done = true;
      const x = args[loss.argument];
      if (x instanceof tf.Tensor) {
        const rowLength = x.rank > 0 ? x.shape[x.rank - 1] : 1;
        const found = judgeLossInput(loss, valueRange(x.dataSync(), rowLength), rowLength, context.locate());
        if (found) context.report(found);
      }
    }
    return fn.apply(this, args);
  };
  // compiledLoss knows a function passed to compile by its tfjs name.
  Object.defineProperty(wrapped, 'name', { value: fn.name });
  return wrapped;
}
