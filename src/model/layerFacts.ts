// The facts of a layer's configuration a reader looks for beside its shapes and params: strides,
// padding, dilation, activation and initialisers, as short texts (`2×2`, `same`, `heNormal`). Pure:
// a Keras/tfjs layer config in, only the keys that the layer has and that say something out.

/** Config keys worth showing, in the order shown, with their labels. */
const FACT_KEYS: readonly (readonly [string, string])[] = [
  ['strides', 'Strides'], ['padding', 'Padding'], ['dilationRate', 'Dilation'], ['poolSize', 'Pool'], ['activation', 'Activation'],
  ['rate', 'Rate'], ['kernelInitializer', 'Kernel init'], ['biasInitializer', 'Bias init'], ['depthwiseInitializer', 'Depthwise init'],
];

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.length ? value.map(String).join('×') : null;
  if (typeof value === 'object') {
    // An initialiser's serialised form: { className: 'VarianceScaling', config: { ... } }.
    const named = value as { className?: unknown; class_name?: unknown };
    const name = named.className ?? named.class_name;
    return typeof name === 'string' ? name : null;
  }
  return String(value);
}

/** The layer's facts as label → text; `{}` for a layer with none of them. */
export function layerFacts(config: Record<string, unknown>): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const [key, label] of FACT_KEYS) {
    if (!(key in config)) continue;
    if (key === 'biasInitializer' && config.useBias === false) continue;
    const value = text(config[key]);
    // A linear activation and a dilation of 1 are the absence of one.
    if (value === null || (key === 'activation' && value === 'linear') || (key === 'dilationRate' && /^1(×1)*$/.test(value))) continue;
    facts[label] = value;
  }
  return facts;
}
