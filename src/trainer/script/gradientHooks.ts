// Gradient flow for scripts: every optimizer's applyGradients (which fit's steps, minimize and a
// custom loop's own call all reach) is wrapped, so on sampled steps the gradients it is handed get
// the same figures as an experiment's (gradientStats.ts), frozen layers marked, ‖Δw‖/‖w‖ measured
// around the update. The other steps only count.
import type * as tfType from '@tensorflow/tfjs';
import { gradientFigures, HISTOGRAM_EVERY_SAMPLES, snapshotWeights, updateRatios, type GradientLayer } from '../gradientStats';
import type { ScriptSession } from './scriptSession';

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
  for (const cls of classes) {
    const apply = cls.prototype.applyGradients;
    cls.prototype.applyGradients = function (grads: Grads) {
      session.step++;
      const step = session.step;
      const sampled = step === 1 || step % session.gradientEvery === 0;
      if (!sampled) return apply.call(this, grads);
      const named: tfType.NamedTensorMap = Array.isArray(grads) ? Object.fromEntries(grads.map((g) => [g.name, g.tensor])) : grads;
      const owner = session.layersFor(Object.keys(named));
      if (!owner) return apply.call(this, grads);
      session.announce(owner.model, null);
      const layers = owner.layers.map((l): GradientLayer => (l.frozen || l.variables.every((v) => named[v.name]) ? l : { ...l, frozen: true }));
      const withHistograms = step === 1 || step % (session.gradientEvery * HISTOGRAM_EVERY_SAMPLES) === 0;
      const figures = gradientFigures(layers, named, withHistograms, null);
      const before = snapshotWeights(layers.filter((l) => !l.frozen));
      apply.call(this, grads);
      const ratios = updateRatios(layers.filter((l) => !l.frozen), before);
      for (const f of figures.layers) f.updateRatio = f.frozen ? null : finiteOrNull(ratios.get(f.layer));
      session.emit({ type: 'gradients', modelId: owner.id, epoch: session.epoch, step, layers: figures.layers });
    };
  }
  return () => classes.forEach((cls, i) => { cls.prototype.applyGradients = originals[i]; });
}

const finiteOrNull = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
