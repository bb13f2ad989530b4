// The doctor's input-scale check: the first training batch as the model receives it, against mean 0
// and std 1, for every kind of data. What scaled the inputs decides the fix it names: a bundled set's
// `normalize` (one mean and std: a quick fix writes it), an image folder's per-channel `normalize`,
// a table's standardisation, or the experiment's own data() code.
import type { DiagnosisMessage } from '../protocol/doctorMessages';
import type { DataSpec, ExperimentSettings, NormalizeSpec } from '../protocol/experimentSpec';
import type { SourceLocation } from '../protocol/modelInfo';
import type { SettingPath } from '../protocol/settingRules';

/** How far from mean 0 and std 1 the inputs as fed may be before the doctor speaks. */
export const INPUT_SCALE_LIMITS = { mean: 2, stdLow: 0.05, stdHigh: 5 };
/** The doctor reads at most this many input values (a spread sample). */
const MAX_INPUT_VALUES = 2_000_000;

/** What scaled the inputs before the model. */
export type InputScaling =
  /** A bundled or synthetic set: pixel / 255 (images), then data.normalize's one mean and std. */
  | { kind: 'normalize'; normalize: NormalizeSpec | undefined }
  /** An image folder: pixel / 255, then data.normalize per channel. */
  | { kind: 'perChannel'; channels: number; normalize: { mean: readonly number[]; std: readonly number[] } | undefined }
  /** A CSV table: numeric columns standardised on the training split, categorical ones one-hot. */
  | { kind: 'standardised' }
  /** data() or a tf.data.Dataset: whatever the user's code made. */
  | { kind: 'code' }
  /** A script's own tensors, as it hands them to fit or trainOnBatch. */
  | { kind: 'script' };

/** The scaling of the experiment's data, and the setting a finding points at. */
export function inputScaling(data: ExperimentSettings['data'], channels: number): { scaling: InputScaling; setting: SettingPath } {
  if (typeof data !== 'object' || data === null) return { scaling: { kind: 'code' }, setting: ['data'] };
  if (data.dataset === 'csv') return { scaling: { kind: 'standardised' }, setting: ['data'] };
  const setting = data.normalize ? ['data', 'normalize'] : ['data'];
  if (data.dataset === 'images') return { scaling: { kind: 'perChannel', channels, normalize: data.normalize }, setting };
  return { scaling: { kind: 'normalize', normalize: data.normalize }, setting };
}

/** The bundled and synthetic sets, whose inputs `check` can load without training (others: null). */
export function scaledData(data: ExperimentSettings['data']): Exclude<DataSpec, { dataset: 'csv' | 'images' }> | null {
  if (typeof data !== 'object' || data === null) return null;
  return data.dataset === 'csv' || data.dataset === 'images' ? null : data;
}

/** Mean and standard deviation of (an evenly spread sample of) every `every`-th value from `first`. */
export function valueStats(values: Float32Array, first = 0, every = 1): { mean: number; std: number } {
  const count = Math.ceil((values.length - first) / every);
  const stride = every * Math.max(1, Math.ceil(count / MAX_INPUT_VALUES));
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = first; i < values.length; i += stride) {
    const v = values[i];
    n++;
    const d = v - mean;
    mean += d / n;
    m2 += d * (v - mean);
  }
  return { mean, std: n > 1 ? Math.sqrt(m2 / (n - 1)) : 0 };
}

const round = (v: number) => Number(v.toPrecision(4));

/**
 * The training inputs as the model receives them (after any normalisation) against mean 0, std 1,
 * or null when they are near; the finding names the setting or code that maps the raw values there.
 */
export function diagnoseInputs(inputs: Float32Array, scaling: InputScaling, where: SourceLocation | null): DiagnosisMessage | null {
  if (inputs.length < 2) return null;
  const { mean, std } = valueStats(inputs);
  const { mean: meanLimit, stdLow, stdHigh } = INPUT_SCALE_LIMITS;
  if (Math.abs(mean) <= meanLimit && std >= stdLow && std <= stdHigh) return null;
  const fed = `the inputs reach the model with mean ${round(mean)} and std ${round(std)}`;
  const far = 'far from mean 0, std 1: the first layers saturate or barely learn.';
  const finding = (message: string, fixes: DiagnosisMessage['fixes'] = []): DiagnosisMessage =>
    ({ type: 'diagnosis', code: 'inputsNotNormalised', severity: 'warning', step: null, layer: null, source: where, message, fixes });
  switch (scaling.kind) {
    case 'normalize': {
      const { normalize } = scaling;
      // Undo the current normalize to get the raw values' figures.
      const rawMean = normalize ? mean * normalize.std + normalize.mean : mean;
      const rawStd = normalize ? std * Math.abs(normalize.std) : std;
      const after = normalize ? ` (after normalize { mean: ${normalize.mean}, std: ${normalize.std} })` : '';
      return finding(`${fed}${after}, ${far}`, rawStd > 0
        ? [{ kind: 'setNormalize', title: `Set data.normalize to { mean: ${round(rawMean)}, std: ${round(rawStd)} }`, mean: round(rawMean), std: round(rawStd) }]
        : []);
    }
    case 'perChannel': {
      const { channels, normalize } = scaling;
      const raw = Array.from({ length: channels }, (_, c) => {
        const s = valueStats(inputs, c, channels);
        const m = normalize?.mean[c] ?? normalize?.mean[0] ?? 0;
        const d = normalize?.std[c] ?? normalize?.std[0] ?? 1;
        return { mean: s.mean * d + m, std: s.std * Math.abs(d) };
      });
      const after = normalize ? ` (after normalize { mean: [${normalize.mean.join(', ')}], std: [${normalize.std.join(', ')}] })` : '';
      const fix = raw.every((r) => r.std > 0)
        ? ` Set data.normalize to { mean: [${raw.map((r) => round(r.mean)).join(', ')}], std: [${raw.map((r) => round(r.std)).join(', ')}] } (the pixels' figures per channel, scaled to 0..1).`
        : ' A channel is constant in the first batch: check the images.';
      return finding(`${fed}${after}, ${far}${fix}`);
    }
    case 'standardised':
      return finding(`${fed}, ${far} The numeric columns are standardised on the training split, so the one-hot columns set it: ` +
        'a categorical column with many values makes the inputs mostly zeros. Leave out ID-like columns with data.features, or encode them in fewer values.');
    case 'code':
    case 'script':
      return finding(`${fed}, ${far} Scale them ${scaling.kind === 'code' ? 'in data()' : 'before training'}: subtract ${round(mean)} and divide by ${round(std)}` +
        `${mean > 1 ? ' (pixels of 0–255: divide by 255, then normalise)' : ''}.`);
  }
}
