// The model doctor during training: it reads the figures of sampled steps (update ratios, gradient
// sizes, activations) and speaks once per finding when a sign persists for several samples in a row,
// so one noisy batch says nothing. No tfjs: figures in, diagnoses out.
import { DEAD_SAMPLES_IN_A_ROW, DEAD_SHARE, type DiagnosisMessage } from '../protocol/doctorMessages';
import type { LayerActivation, LayerGradient } from '../protocol/messages';
import type { SourceLocation } from '../protocol/modelInfo';

/** When each sign counts, and for how many sampled steps in a row before the doctor speaks. */
export const DOCTOR_LIMITS = {
  /** ‖Δw‖/‖w‖ (median over layers): about 1e-3 is healthy; far above 1e-2 or far below 1e-4 is not. */
  updateRatioHigh: 1e-1,
  updateRatioLow: 1e-5,
  /** The update ratio the suggested learning rate aims at. */
  updateRatioTarget: 1e-3,
  /** A layer's mean |g| against the last layer's. */
  vanishing: 1e-3,
  exploding: 1e3,
  deadShare: DEAD_SHARE,
  samplesInARow: 5,
  deadSamplesInARow: DEAD_SAMPLES_IN_A_ROW,
};

export interface DoctorContext {
  /** Where a layer was made in the user's source. */
  locateLayer(name: string): SourceLocation | null;
  /** Where a setting is written (the learning rate, for its fix). */
  locateSetting(path: (string | number)[]): SourceLocation | null;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const oneDigit = (v: number) => Number(v.toPrecision(1));
const sci = (v: number) => v.toExponential(1);

export class TrainingDoctor {
  private readonly streaks = new Map<string, number>();
  private readonly spoken = new Set<string>();
  private highestLr = 0;

  constructor(private readonly context: DoctorContext, private readonly limits = DOCTOR_LIMITS) {}

  /** The diagnoses that one sampled step's figures complete (each finding once per run). */
  observe(step: number, lr: number, gradients: LayerGradient[], activations: LayerActivation[] | null): DiagnosisMessage[] {
    this.highestLr = Math.max(this.highestLr, lr);
    return [...this.learningRate(step, lr, gradients), ...this.gradientFlow(step, gradients), ...this.deadUnits(step, activations ?? [])];
  }

  /** Counts `key` up while `holds`, back to 0 otherwise; true once it reaches `needed` (and was not spoken of). */
  private persists(key: string, holds: boolean, needed: number): boolean {
    const n = holds ? (this.streaks.get(key) ?? 0) + 1 : 0;
    this.streaks.set(key, n);
    if (n < needed || this.spoken.has(key)) return false;
    this.spoken.add(key);
    return true;
  }

  private learningRate(step: number, lr: number, gradients: LayerGradient[]): DiagnosisMessage[] {
    const ratios = gradients.map((g) => g.updateRatio).filter((r): r is number => r !== null);
    if (ratios.length === 0 || !(lr > 0)) return [];
    const { updateRatioHigh, updateRatioLow, updateRatioTarget, samplesInARow } = this.limits;
    const ratio = median(ratios);
    // A schedule that has decayed the rate on purpose is not a rate too low.
    const decayed = lr < this.highestLr / 2;
    const high = this.persists('learningRateTooHigh', ratio > updateRatioHigh, samplesInARow);
    const low = this.persists('learningRateTooLow', ratio < updateRatioLow && !decayed, samplesInARow);
    if (!high && !low) return [];
    const suggested = oneDigit(lr * (updateRatioTarget / Math.max(ratio, 1e-12)));
    const code = high ? 'learningRateTooHigh' : 'learningRateTooLow';
    return [{
      type: 'diagnosis', code, severity: 'warning', step, layer: null,
      source: this.context.locateSetting(['training', 'optimizer', 'learningRate']),
      message: `the updates are ${high ? 'large' : 'tiny'} for the weights: ‖Δw‖/‖w‖ is ${sci(ratio)} (median over the layers) for ` +
        `${samplesInARow} sampled steps in a row up to step ${step}, ${high ? '≫ 1e-2' : '≪ 1e-4'} (about 1e-3 is healthy). ` +
        `The learning rate ${lr} is too ${high ? 'high' : 'low'}: try ${suggested}.`,
      fixes: [{ kind: 'setLearningRate', title: `Set the learning rate to ${suggested}`, learningRate: suggested }],
    }];
  }

  private gradientFlow(step: number, gradients: LayerGradient[]): DiagnosisMessage[] {
    const live = gradients.filter((g) => !g.frozen && g.meanAbs !== null);
    if (live.length < 2) return [];
    const last = live[live.length - 1].meanAbs!;
    if (!(last > 0)) return [];
    const out: DiagnosisMessage[] = [];
    const { vanishing, exploding, samplesInARow } = this.limits;
    // The layer nearest the input where the sign shows (the one whose learning suffers first).
    const weak = live.slice(0, -1).find((g) => g.meanAbs! / last < vanishing);
    const strong = live.slice(0, -1).find((g) => g.meanAbs! / last > exploding);
    if (this.persists('vanishingGradients', weak !== undefined, samplesInARow) && weak) {
      out.push(this.layerDiagnosis('vanishingGradients', step, weak.layer,
        `vanishing gradients: the mean |gradient| of "${weak.layer}" is ${sci(weak.meanAbs! / last)} × that of the last layer for ` +
        `${samplesInARow} sampled steps in a row up to step ${step}, so it and the layers before it barely learn. ` +
        'Use ReLU rather than sigmoid/tanh in the hidden layers, He initialisation, batch normalisation or a residual connection.'));
    }
    if (this.persists('explodingGradients', strong !== undefined, samplesInARow) && strong) {
      out.push(this.layerDiagnosis('explodingGradients', step, strong.layer,
        `exploding gradients: the mean |gradient| of "${strong.layer}" is ${sci(strong.meanAbs! / last)} × that of the last layer for ` +
        `${samplesInARow} sampled steps in a row up to step ${step}. Lower the learning rate, normalise the inputs, or add batch normalisation.`));
    }
    return out;
  }

  private deadUnits(step: number, activations: LayerActivation[]): DiagnosisMessage[] {
    const out: DiagnosisMessage[] = [];
    for (const a of activations) {
      const dead = a.deadShare !== null && a.deadShare > this.limits.deadShare;
      if (!this.persists(`deadRelu:${a.layer}`, dead, this.limits.deadSamplesInARow)) continue;
      out.push(this.layerDiagnosis('deadRelu', step, a.layer,
        `dead ReLUs: ${Math.round(100 * a.deadShare!)}% of the units of "${a.layer}" output 0 for every sample of the batch, for ` +
        `${this.limits.deadSamplesInARow} sampled steps in a row up to step ${step}: they pass no gradient and no longer learn. ` +
        'Lower the learning rate, or use leakyReLU or He initialisation.'));
    }
    return out;
  }

  private layerDiagnosis(code: DiagnosisMessage['code'], step: number, layer: string, message: string): DiagnosisMessage {
    return { type: 'diagnosis', code, severity: 'warning', step, layer, source: this.context.locateLayer(layer), message, fixes: [] };
  }
}
