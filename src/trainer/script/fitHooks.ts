// tfjs instrumented from outside for a user's script: compile, fit, fitDataset and trainOnBatch of
// every LayersModel announce the model, and fit's logs become batch and epoch messages through a
// callback added after the user's own (theirs still run, in their order). Sequential delegates to
// an inner LayersModel: only the outermost call of a model is instrumented.
import type * as tfType from '@tensorflow/tfjs';
import { figuresFromLogs, figuresFromResult } from './scriptFigures';
import { learningRateOf, type ScriptSession } from './scriptSession';
import { now } from '../runMessages';

type Tf = typeof tfType;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (this: any, ...args: any[]) => unknown;
type FitArgs = { batchSize?: number; callbacks?: unknown; yieldEvery?: unknown } | undefined;

interface FitParams {
  epochs?: number;
  steps?: number | null;
  samples?: number | null;
  batchSize?: number;
}

/** Patches the model classes of `tf` (our own copy: the one the script is given); returns what puts the originals back. */
export function instrumentModels(tf: Tf, session: ScriptSession): () => void {
  const originals: [Record<string, AnyFn>, string, AnyFn][] = [];
  // Only the outermost call of a model is instrumented (Sequential → its inner model).
  const outermost = (work: () => unknown, passThrough: () => unknown) => {
    if (session.modelCalls > 0) return passThrough();
    session.modelCalls++;
    let result: unknown;
    try {
      result = work();
    } catch (e) {
      session.modelCalls--;
      throw e;
    }
    if (result instanceof Promise) return result.finally(() => { session.modelCalls--; });
    session.modelCalls--;
    return result;
  };

  for (const proto of [tf.Sequential.prototype, tf.LayersModel.prototype] as unknown as Record<string, AnyFn>[]) {
    for (const name of ['compile', 'fit', 'fitDataset', 'trainOnBatch']) originals.push([proto, name, proto[name]]);
    const compile = proto.compile;
    proto.compile = function (this: tfType.LayersModel, ...args: unknown[]) {
      return outermost(() => {
        const out = compile.apply(this, args);
        session.announce(this, null);
        return out;
      }, () => compile.apply(this, args));
    };
    const fit = proto.fit;
    proto.fit = function (this: tfType.LayersModel, x: unknown, y: unknown, args: FitArgs) {
      return outermost(() => {
        session.announce(this, args?.batchSize ?? 32);
        return session.training(this, () => fit.call(this, x, y, withLensCallback(tf, session, this, args)), () => firstRows(tf, x, args?.batchSize ?? 32));
      }, () => fit.call(this, x, y, args));
    };
    const fitDataset = proto.fitDataset;
    proto.fitDataset = function (this: tfType.LayersModel, dataset: unknown, args: FitArgs) {
      return outermost(() => {
        session.announce(this, null);
        return session.training(this, () => fitDataset.call(this, dataset, withLensCallback(tf, session, this, args)));
      }, () => fitDataset.call(this, dataset, args));
    };
    const trainOnBatch = proto.trainOnBatch;
    proto.trainOnBatch = function (this: tfType.LayersModel, x: unknown, y: unknown) {
      return outermost(async () => {
        const batchSize = (Array.isArray(x) ? x[0] : x) as { shape?: number[] } | undefined;
        session.announce(this, batchSize?.shape?.[0] ?? null);
        const started = now();
        const result = await session.training(this, () => trainOnBatch.call(this, x, y), () => firstRows(tf, x, Infinity));
        const figures = figuresFromResult(result, this.metricsNames ?? []);
        const elapsed = now() - started;
        const samples = batchSize?.shape?.[0] ?? 0;
        session.reportBatch(this, session.epoch, session.step, figures, learningRateOf(this.optimizer), elapsed > 0 ? samples / elapsed : 0);
        await session.turns.due(); // a loop of awaited trainOnBatch calls never reaches a timer otherwise
        return result;
      }, () => trainOnBatch.call(this, x, y));
    };
  }
  return () => { for (const [proto, name, original] of originals) proto[name] = original; };
}

/** The values of the first `rows` rows of a tensor input (the first of a list), or null: not a tensor, or on webgpu (no sync read). */
function firstRows(tf: Tf, x: unknown, rows: number): Float32Array | null {
  const first = Array.isArray(x) ? x[0] : x;
  if (!(first instanceof tf.Tensor) || first.isDisposed || first.rank === 0 || first.size === 0) return null;
  if ((first.dtype !== 'float32' && first.dtype !== 'int32') || tf.getBackend() === 'webgpu') return null;
  const part = first.slice(0, Math.max(1, Math.min(rows, first.shape[0])));
  try {
    return Float32Array.from(part.dataSync());
  } finally {
    part.dispose();
  }
}

/** The user's callbacks as tfjs would make them, then ours. */
function withLensCallback(tf: Tf, session: ScriptSession, model: tfType.LayersModel, args: FitArgs): FitArgs {
  const given = args?.callbacks;
  const list = given == null ? [] : Array.isArray(given) ? given : [given];
  const theirs = list.map((c) => (c instanceof tf.Callback ? c : new tf.CustomCallback(c as tfType.CustomCallbackArgs, args?.yieldEvery as never)));
  return { ...args, callbacks: [...theirs, lensCallback(tf, session, model)] };
}

function lensCallback(tf: Tf, session: ScriptSession, model: tfType.LayersModel): tfType.Callback {
  let epochs = 1;
  let stepsPerEpoch = 0;
  let epochStarted = 0;
  let seen = 0;
  let batchSize = 0;
  class LensCallback extends tf.Callback {
    override async onTrainBegin(): Promise<void> {
      const p = this.params as FitParams;
      epochs = p.epochs ?? 1;
      batchSize = p.batchSize ?? 0;
      stepsPerEpoch = p.steps ?? (p.samples && batchSize ? Math.ceil(p.samples / batchSize) : 0);
    }

    override async onEpochBegin(epoch: number): Promise<void> {
      session.epoch = epoch + 1;
      epochStarted = now();
      seen = 0;
      session.emit({ type: 'epochStart', modelId: session.idOf(model), epoch: epoch + 1, epochs, stepsPerEpoch, lr: learningRateOf(model.optimizer) });
    }

    override async onBatchEnd(batch: number, logs?: tfType.Logs): Promise<void> {
      const size = typeof logs?.size === 'number' ? logs.size : batchSize;
      seen += size;
      const elapsed = now() - epochStarted;
      session.reportBatch(model, session.epoch, batch + 1, figuresFromLogs(logs), learningRateOf(model.optimizer), elapsed > 0 ? seen / elapsed : 0);
      // fit awaits this: without a callback of the script's own, nothing else in fit waits for a turn.
      await session.turns.due();
    }

    override async onEpochEnd(epoch: number, logs?: tfType.Logs): Promise<void> {
      session.emit(session.epochEndMessage(model, epoch + 1, figuresFromLogs(logs), learningRateOf(model.optimizer), now() - epochStarted));
    }
  }
  return new LensCallback();
}
