// A script's own training loop: `optimizer.minimize(...)` called by the script (not by fit or
// trainOnBatch, which report their batches from fit's logs) becomes a batch message with the loss it
// returns, for the model whose variables it updated. Its batch size is the first dimension of the
// last input a model was applied to; samples/s is measured from one minimize to the next.
import type * as tfType from '@tensorflow/tfjs';
import { now } from '../runMessages';
import { learningRateOf, type ScriptSession } from './scriptSession';

type Tf = typeof tfType;
type Minimize = (this: tfType.Optimizer, f: () => tfType.Scalar, returnCost?: boolean, varList?: tfType.Variable[]) => tfType.Scalar | null;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Apply = (this: tfType.LayersModel, inputs: any, kwargs?: any) => unknown;

/** The rows of a concrete input (a tensor or the first of a list); null for symbolic inputs. */
function rowsOf(inputs: unknown): number | null {
  const first = Array.isArray(inputs) ? inputs[0] : inputs;
  const rows = (first as { shape?: (number | null)[] } | undefined)?.shape?.[0];
  return typeof rows === 'number' && typeof (first as { dataId?: unknown }).dataId === 'object' ? rows : null;
}

/** Patches Optimizer.minimize and the models' apply/predict; returns what puts the originals back. */
export function instrumentLoops(tf: Tf, session: ScriptSession): () => void {
  const optimizer = tf.Optimizer.prototype as unknown as { minimize: Minimize };
  const minimize = optimizer.minimize;
  const restore: (() => void)[] = [() => { optimizer.minimize = minimize; }];
  for (const proto of [tf.LayersModel.prototype, tf.Sequential.prototype] as unknown as Record<string, Apply>[]) {
    for (const name of ['apply', 'predict']) {
      const own = Object.hasOwn(proto, name); // LayersModel inherits apply from Layer
      const original = proto[name];
      proto[name] = function (this: tfType.LayersModel, inputs: unknown, kwargs?: unknown) {
        session.lastInputRows = rowsOf(inputs) ?? session.lastInputRows;
        return original.call(this, inputs, kwargs);
      };
      restore.push(() => { if (own) proto[name] = original; else delete proto[name]; });
    }
  }

  let lastEnd = 0;
  optimizer.minimize = function (this: tfType.Optimizer, f, returnCost = false, varList) {
    if (session.modelCalls > 0) return minimize.call(this, f, returnCost, varList);
    const started = now();
    const cost = minimize.call(this, f, true, varList);
    const owner = cost ? session.layersFor(session.lastUpdated) : null;
    if (!cost || !owner) {
      if (!returnCost) cost?.dispose();
      return returnCost ? cost : null;
    }
    const ended = now();
    const seconds = ended - (lastEnd || started);
    lastEnd = ended;
    const rows = session.lastInputRows ?? 0;
    session.announce(owner.model, rows || null);
    const [step, epoch, lr] = [session.step, session.epoch, learningRateOf(this)];
    const send = (loss: number) => session.emit(session.batchMessage(owner.model, epoch, step, { metrics: { loss } }, lr, seconds > 0 ? rows / seconds : 0));
    const read = returnCost ? cost.clone() : cost;
    // webgpu under Node reads only asynchronously; elsewhere the value is there already.
    if (tf.getBackend() === 'webgpu') {
      void read.data().then((v) => send(v[0]), () => undefined).finally(() => read.dispose());
    } else {
      send(read.dataSync()[0]);
      read.dispose();
    }
    return returnCost ? cost : null;
  };
  return () => restore.forEach((r) => r());
}
