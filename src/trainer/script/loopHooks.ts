// A script's own training loop: its loss becomes a batch message per step, for the model whose
// variables the step updated (or for the run alone, when the loop trains tf.variables of its own). Two shapes of loop are seen: `optimizer.minimize(f)` called by the script
// (not by fit or trainOnBatch, which report from fit's logs), and `tf.variableGrads(f)` followed by
// `optimizer.applyGradients(grads)`. The batch size is the first dimension of the last input a model
// was applied to; samples/s is measured from one step's end to the next.
import type * as tfType from '@tensorflow/tfjs';
import type { SourceLocation } from '../../protocol/modelInfo';
import { now } from '../runMessages';
import { learningRateOf, type ScriptSession } from './scriptSession';

type Tf = typeof tfType;
type Minimize = (this: tfType.Optimizer, f: () => tfType.Scalar, returnCost?: boolean, varList?: tfType.Variable[]) => tfType.Scalar | null;
type VariableGrads = (f: () => tfType.Scalar, varList?: tfType.Variable[]) => { value: tfType.Scalar; grads: tfType.NamedTensorMap };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Apply = (this: tfType.LayersModel, inputs: any, kwargs?: any) => unknown;

/** The rows of a concrete input (a tensor or the first of a list); null for symbolic inputs. */
function rowsOf(inputs: unknown): number | null {
  const first = Array.isArray(inputs) ? inputs[0] : inputs;
  const rows = (first as { shape?: (number | null)[] } | undefined)?.shape?.[0];
  return typeof rows === 'number' && typeof (first as { dataId?: unknown }).dataId === 'object' ? rows : null;
}

/**
 * Patches Optimizer.minimize, `userTf.variableGrads` (the script's tf) and the models' apply/predict;
 * returns what puts the originals back.
 */
export function instrumentLoops(tf: Tf, userTf: Tf, session: ScriptSession): () => void {
  const restore: (() => void)[] = [];
  for (const proto of [tf.LayersModel.prototype, tf.Sequential.prototype] as unknown as Record<string, Apply>[]) {
    for (const name of ['apply', 'predict']) {
      const original = proto[name]; // LayersModel's apply is Layer's: put back as its own, not deleted (a delete slows the prototype)
      proto[name] = function (this: tfType.LayersModel, inputs: unknown, kwargs?: unknown) {
        session.lastInputRows = rowsOf(inputs) ?? session.lastInputRows;
        return original.call(this, inputs, kwargs);
      };
      restore.push(() => { proto[name] = original; });
    }
  }

  let lastEnd = 0;
  /**
   * Sends the step's loss (a scalar this function disposes) as a batch message of the model just
   * updated; of the run alone when no model holds the variables (a loop on its own tf.variables).
   */
  const report = (optimizer: tfType.Optimizer, loss: tfType.Scalar, started: number) => {
    const model = session.lastUpdated?.model ?? null;
    const ended = now();
    const seconds = ended - (lastEnd || started);
    lastEnd = ended;
    const rows = session.lastInputRows ?? 0;
    if (model) session.announce(model, rows || null);
    const [step, epoch, lr] = [session.step, session.epoch, learningRateOf(optimizer)];
    // A loss that is not finite is reported at the loop's line: the script's call on the stack now.
    const send = (value: number, where: () => SourceLocation | null) => session.reportBatch(model, epoch, step,
      Number.isFinite(value) ? { metrics: { loss: value } } : { metrics: {}, notFinite: { loss: value } }, lr, seconds > 0 ? rows / seconds : 0, where);
    // webgpu under Node reads only asynchronously; elsewhere the value is there already.
    if (tf.getBackend() === 'webgpu') {
      const where = session.doctorHooks.callSiteLater();
      void loss.data().then((v) => send(v[0], where), () => undefined).finally(() => loss.dispose());
    } else {
      const value = loss.dataSync()[0];
      loss.dispose();
      send(value, () => session.doctorHooks.callSite());
    }
  };

  const optimizer = tf.Optimizer.prototype as unknown as { minimize: Minimize };
  const minimize = optimizer.minimize;
  let insideMinimize = 0;
  optimizer.minimize = function (this: tfType.Optimizer, f, returnCost = false, varList) {
    if (session.modelCalls > 0) return minimize.call(this, f, returnCost, varList);
    const started = now();
    insideMinimize++;
    let cost: tfType.Scalar | null;
    try {
      cost = minimize.call(this, f, true, varList);
    } finally {
      insideMinimize--;
    }
    if (!cost) return null;
    report(this, tf.keep(returnCost ? cost.clone() : cost), started); // kept: a tidy around the loop must not take it
    return returnCost ? cost : null;
  };
  restore.push(() => { optimizer.minimize = minimize; });

  const user = userTf as unknown as { variableGrads: VariableGrads };
  const variableGrads = user.variableGrads;
  let pending: { loss: tfType.Scalar; started: number } | null = null;
  user.variableGrads = (f, varList) => {
    const started = now();
    const result = variableGrads(f, varList);
    if (session.modelCalls === 0) {
      pending?.loss.dispose(); // its gradients were never applied
      pending = { loss: tf.keep(result.value.clone()), started };
    }
    return result;
  };
  session.afterUpdate = (updated) => {
    if (!pending || session.modelCalls > 0 || insideMinimize > 0) return;
    const { loss, started } = pending;
    pending = null;
    report(updated, loss, started);
  };
  restore.push(() => {
    user.variableGrads = variableGrads;
    session.afterUpdate = () => undefined;
    pending?.loss.dispose();
  });
  return () => restore.forEach((r) => r());
}
