// Gradient flow for scripts: every optimizer's applyGradients (which fit's steps, minimize and a
// custom loop's own call all reach) is wrapped, so on sampled steps the gradients it is handed get
// the same figures as an experiment's (gradientStats.ts), frozen layers marked, ‖Δw‖/‖w‖ measured
// around the update, the share of dead ReLU units from the same gradients (deadUnits.ts). The other
// steps only count.
import type * as tfType from '@tensorflow/tfjs';
import { figuresFromValues, gradientStatsTensor, HISTOGRAM_EVERY_SAMPLES, readAndDispose, snapshotWeights, updateRatioTensor, type GradientLayer } from '../gradientStats';
import { deadActivations, deadShareTensor, reluUnits, type ReluUnits } from './deadUnits';
import { learningRateOf, type ScriptSession } from './scriptSession';

type Tf = typeof tfType;
type Grads = tfType.NamedTensorMap | { name: string; tensor: tfType.Tensor }[];
type ApplyGradients = (this: tfType.Optimizer, grads: Grads) => void;

/** Every optimizer class of `tf` that has its own applyGradients. */
function optimizerClasses(tf: Tf): { prototype: { applyGradients: ApplyGradients } }[] {
  return (Object.values(tf) as unknown[]).filter((v): v is { prototype: { applyGradients: ApplyGradients } } =>
    typeof v === 'function' && v.prototype instanceof tf.Optimizer && Object.hasOwn(v.prototype, 'applyGradients'));
}

/** Wraps every optimizer's applyGradients; returns what puts the originals back. */
export function instrumentOptimizers(tf: Tf, session: ScriptSession): () => void {
  const classes = optimizerClasses(tf);
  const originals = classes.map((cls) => cls.prototype.applyGradients);
  const reluCache = new WeakMap<GradientLayer[], ReluUnits[]>();
  for (const cls of classes) {
    const apply = cls.prototype.applyGradients;
    // The update, with gradient figures on sampled steps.
    const withFigures = function (this: tfType.Optimizer, grads: Grads) {
      session.updating = Array.isArray(grads) ? grads.map((g) => g.name) : Object.keys(grads);
      if (session.step === 0) session.beforeFirstUpdate();
      // Sampled by the model's own steps, so each model of a script gets figures from its first step.
      const ownStep = session.countUpdate(session.updating);
      const owner = session.lastUpdated;
      const step = session.step;
      // Variables no model holds (a loop's own tf.variables) have no layers to chart: only their loss is (loopHooks.ts).
      if (!owner || !session.sampling.wants(ownStep)) return apply.call(this, grads);
      const t0 = performance.now();
      const named: tfType.NamedTensorMap = Array.isArray(grads) ? Object.fromEntries(grads.map((g) => [g.name, g.tensor])) : grads;
      session.announce(owner.model, null);
      const layers = owner.layers.map((l): GradientLayer => (l.frozen || l.variables.every((v) => named[v.name]) ? l : { ...l, frozen: true }));
      const withHistograms = ownStep === 1 || ownStep % (session.gradientEvery * HISTOGRAM_EVERY_SAMPLES) === 0;
      const stats = gradientStatsTensor(layers, named, withHistograms);
      let relus = reluCache.get(owner.layers);
      if (!relus) reluCache.set(owner.layers, relus = reluUnits(owner.layers));
      const dead = deadShareTensor(tf, relus, named);
      const before = snapshotWeights(layers);
      const t1 = performance.now();
      apply.call(this, grads);
      const t2 = performance.now();
      const ratios = updateRatioTensor(layers, before);
      const one = tf.concat([stats, ratios, dead]);
      tf.dispose([stats, ratios, dead]);
      const epoch = session.epoch;
      const lr = learningRateOf(this);
      const send = (values: Float32Array) => {
        const { layers: figures, firstNonFinite } = figuresFromValues(layers, values, { withRatios: true, withHistograms });
        session.emit({ type: 'gradients', modelId: owner.id, epoch, step, layers: figures });
        session.noteSampled(owner.model, ownStep, firstNonFinite);
        session.observeGradients(owner.model, step, lr, figures, deadActivations(relus, values.subarray(values.length - relus.length)));
      };
      // applyGradients is synchronous; webgpu under Node reads only asynchronously, so its figures follow.
      if (tf.getBackend() === 'webgpu') {
        void readAndDispose(one).then(send, () => undefined);
      } else {
        send(one.dataSync() as Float32Array);
        one.dispose();
      }
      session.sampling.spent(performance.now() - t0 - (t2 - t1));
    };
    cls.prototype.applyGradients = function (grads: Grads) {
      withFigures.call(this, grads);
      session.afterUpdate(this);
    };
  }
  return () => classes.forEach((cls, i) => { cls.prototype.applyGradients = originals[i]; });
}
