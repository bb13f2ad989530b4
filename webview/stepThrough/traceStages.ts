// The stages a traced step is walked in (forward per layer, the loss, backward per layer from the
// output, the update) and each stage's formula filled in with the sample's own numbers. Pure: no DOM.
import type { TensorView, TraceLayer, TraceMessage } from '../../src/protocol/traceMessages';

export type StageKind = 'forward' | 'loss' | 'backward' | 'update';

export interface Stage {
  kind: StageKind;
  /** Index into trace.layers (forward, backward), or -1 (loss, update). */
  layer: number;
  title: string;
  /** The layer type's rule in symbols. */
  formula: string;
  /** The same rule with this sample's numbers. */
  filled: string[];
}

const n = (v: number | undefined): string => {
  if (v === undefined || !Number.isFinite(v)) return '?';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(3) : Number(v.toPrecision(4)).toString();
};
const par = (v: number | undefined) => (v !== undefined && v < 0 ? `(${n(v)})` : n(v));

/** The value at flat index 0..: every value when listed, else pixel (0, 0) of the first map for index 0. */
function first(view: TensorView | null | undefined, index = 0): number | undefined {
  if (!view) return undefined;
  if (view.values) return view.values[index];
  if (index === 0 && view.maps) return view.maps.data[0][0];
  if (index === 0 && view.corner) return view.corner.values[0];
  return undefined;
}

const dims = (v: TensorView) => `[${v.shape.join('×')}]`;
const largest = (v: TensorView | null | undefined): number => {
  if (!v?.values) return 0;
  let best = 0;
  v.values.forEach((x, i) => { if (Math.abs(x) > Math.abs(v.values![best])) best = i; });
  return best;
};

/** At a fork: what each consumer sent back along its edge (its dL/d(input) for this layer); they add up to dL/d(output). */
export function forkPaths(t: TraceMessage, l: TraceLayer): { from: string; view: TensorView }[] {
  if (!l.consumers || l.consumers.length < 2) return [];
  return [...new Set(l.consumers)].flatMap((name) => {
    const c = t.layers.find((x) => x.layer === name);
    return (c?.sources ?? []).flatMap((s, k) => (s === l.layer ? [{ from: name, view: c!.dInputs?.[k] ?? c!.dInput }] : []));
  });
}

export function traceStages(t: TraceMessage): Stage[] {
  const stages: Stage[] = t.layers.map((l, i) => forwardStage(l, i));
  stages.push(lossStage(t));
  for (let i = t.layers.length - 1; i >= 0; i--) stages.push(backwardStage(t, t.layers[i], i));
  stages.push(updateStage(t));
  return stages;
}

/** A merge layer's rule, forward and backward (the local derivative each input's gradient goes through). */
const MERGE_FORWARD: Record<string, string> = {
  Add: 'out = x₁ + x₂ + …',
  Concatenate: 'out = [x₁ | x₂ | …] joined along the last axis',
  Multiply: 'out = x₁ ⊙ x₂ ⊙ …',
  Average: 'out = (x₁ + … + xₙ) / n',
  Subtract: 'out = x₁ − x₂',
  Maximum: 'out = the largest of the inputs, position by position',
  Minimum: 'out = the smallest of the inputs, position by position',
};
const MERGE_BACKWARD: Record<string, string> = {
  Add: 'dL/dxᵢ = dL/dout for every input (Add passes the gradient to each input unchanged)',
  Concatenate: 'dL/dout is split along the joined axis: each input gets its own slice back',
  Multiply: 'dL/dxᵢ = dL/dout ⊙ (the product of the other inputs)',
  Average: 'dL/dxᵢ = dL/dout / n',
  Subtract: 'dL/dx₁ = dL/dout,  dL/dx₂ = −dL/dout',
  Maximum: 'dL/dout goes to the input that was largest at each position, 0 to the others',
  Minimum: 'dL/dout goes to the input that was smallest at each position, 0 to the others',
};

/** "a", "a and b", "a, b and c". */
const listed = (names: string[]) => (names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);

function activationRule(act: string | null): string {
  switch (act) {
    case 'relu': return 'a = max(0, z)';
    case 'softmax': return 'p = softmax(z), pₖ = e^zₖ / Σⱼ e^zⱼ';
    case 'sigmoid': return 'a = σ(z) = 1 / (1 + e^−z)';
    case 'tanh': return 'a = tanh(z)';
    default: return act ? `a = ${act}(z)` : '';
  }
}

function forwardStage(l: TraceLayer, i: number): Stage {
  const title = `Forward ${i + 1}: ${l.layer} (${l.type}${l.activation ? `, ${l.activation}` : ''})`;
  const z = l.preActivation ?? l.output;
  const j = largest(z);
  const filled: string[] = [`input ${dims(l.input)} → output ${dims(l.output)}; output mean ${n(l.output.mean)}, std ${n(l.output.std)}`];
  let formula: string;
  switch (l.type) {
    case 'Dense':
      formula = `z = x·W + b${l.activation ? `,  ${activationRule(l.activation)}` : ''}`;
      if (first(z, j) !== undefined) filled.push(`z[${j}] = Σᵢ x[i]·W[i,${j}] + b[${j}] = ${n(first(z, j))}${l.activation ? ` → ${n(first(l.output, j))}` : ''}`);
      break;
    case 'Conv2D':
      formula = `z[y,x,c] = Σ x[y+i, x+j, k]·K[i,j,k,c] + b[c]  (correlation)${l.activation ? `,  ${activationRule(l.activation)}` : ''}`;
      filled.push(`feature maps: ${l.output.maps ? `${l.output.maps.data.length} of ${l.output.maps.channels} channels shown` : 'see the figures'}`);
      break;
    case 'MaxPooling2D':
      formula = 'out[y,x,c] = max of its window of x';
      break;
    case 'Flatten':
      formula = 'out = x as one row (a reshape: no arithmetic)';
      break;
    case 'ReLU':
      formula = 'a = max(0, x)';
      break;
    default:
      formula = MERGE_FORWARD[l.type] ?? (l.activation ? activationRule(l.activation) : `out = ${l.type}(x)`);
  }
  if (l.type === 'Add' && l.inputs) {
    const k = largest(l.output);
    const terms = l.inputs.map((v) => first(v, k));
    if (terms.every((v) => v !== undefined)) filled.push(`out[${k}] = ${terms.map((v) => par(v)).join(' + ')} = ${n(first(l.output, k))}`);
  }
  if (l.sources) filled.unshift(`${l.sources.length > 1 ? 'inputs' : 'input'} from ${l.sources.join(', ')}`);
  if (l.activeShare !== null) filled.push(`ReLU lets ${(100 * l.activeShare).toFixed(1)}% of the units through (z > 0); the others output 0`);
  return { kind: 'forward', layer: i, title, formula, filled };
}

function lossStage(t: TraceMessage): Stage {
  const loss = t.loss;
  const filled = [`target ${loss.targetClass ?? `[${loss.target.map(n).join(', ')}]`}, predicted ${loss.predictedClass ?? `[${loss.prediction.map(n).join(', ')}]`}`];
  let formula = `L = ${loss.name}(ŷ, y)`;
  if (loss.targetClass !== null && loss.prediction.length > 1 && /ategorical/.test(loss.name)) {
    const p = loss.prediction[loss.targetClass];
    formula = 'L = −log p[y]';
    filled.push(`L = −log p[${loss.targetClass}] = −log ${n(p)} = ${n(loss.value)}`);
  } else filled.push(`L = ${n(loss.value)}`);
  if (loss.logits) filled.push(`dL/dz = p − y = [${loss.outputGradient.map(n).join(', ')}]`);
  else filled.push(`dL/dŷ = [${loss.outputGradient.slice(0, 10).map(n).join(', ')}${loss.outputGradient.length > 10 ? ', …' : ''}]`);
  return { kind: 'loss', layer: -1, title: `Loss: ${loss.name}`, formula, filled };
}

function activationBackward(l: TraceLayer): { formula: string; filled: string | null } {
  const k = largest(l.dPreActivation);
  const dA = first(l.dOutput, k);
  const dZ = first(l.dPreActivation, k);
  switch (l.activation) {
    case 'relu':
      return { formula: "dL/dz = dL/da ⊙ relu′(z)  (the mask: 1 where z > 0)", filled: dZ === undefined ? null : `dL/dz[${k}] = ${par(dA)} × ${(first(l.preActivation, k) ?? 0) > 0 ? 1 : 0} = ${n(dZ)}` };
    case 'softmax':
      return { formula: 'dL/dz = Jᵀ·dL/dp, J = diag(p) − p·pᵀ  (with cross-entropy: p − y)', filled: dZ === undefined ? null : `dL/dz[${k}] = ${n(dZ)}` };
    case 'sigmoid':
      return { formula: 'dL/dz = dL/da ⊙ a(1 − a)', filled: dZ === undefined ? null : `dL/dz[${k}] = ${par(dA)} × ${par(first(l.output, k))}·(1 − ${par(first(l.output, k))}) = ${n(dZ)}` };
    case 'tanh':
      return { formula: 'dL/dz = dL/da ⊙ (1 − a²)', filled: dZ === undefined ? null : `dL/dz[${k}] = ${n(dZ)}` };
    default:
      return { formula: `dL/dz = dL/da ⊙ ${l.activation}′(z)`, filled: null };
  }
}

/** A kernel entry the trace carries (its values or corner) where x and dL/dz are largest, to fill dL/dW = xᵀ·dL/dz in. */
function kernelCell(x: TensorView, dz: TensorView, grad: TensorView): { i: number; j: number; x: number; dz: number; g: number } | null {
  const [rows, cols] = grad.shape;
  const reach = grad.values ? { rows, cols } : grad.corner ? { rows: grad.corner.rows, cols: grad.corner.cols } : null;
  if (!reach || grad.shape.length !== 2) return null;
  const pick = (view: TensorView, count: number) => {
    let best = -1;
    for (let k = 0; k < count; k++) {
      const v = first(view, k);
      if (v !== undefined && (best < 0 || Math.abs(v) > Math.abs(first(view, best)!))) best = k;
    }
    return best;
  };
  const i = pick(x, reach.rows);
  const j = pick(dz, reach.cols);
  if (i < 0 || j < 0) return null;
  const g = grad.values ? grad.values[i * cols + j] : grad.corner!.values[i * grad.corner!.cols + j];
  return { i, j, x: first(x, i)!, dz: first(dz, j)!, g };
}

function backwardStage(t: TraceMessage, l: TraceLayer, i: number): Stage {
  const title = `Backward ${t.layers.length - i}: ${l.layer} (${l.type}${l.activation ? `, ${l.activation}` : ''})`;
  const parts: string[] = [];
  const filled: string[] = [`dL/d(output) ${dims(l.dOutput)}: ‖·‖ = ${n(l.dOutput.l2)}`];
  // The output feeds several layers: its gradient is what each sends back, added.
  if (l.consumers && l.consumers.length > 1) {
    parts.push('dL/d(output) = Σ over the layers that read it of their dL/d(input)');
    filled.unshift(`dL/d(output) = sum of ${l.consumers.length} paths: ${listed(l.consumers)}`);
  }
  if (l.activation && l.dPreActivation) {
    const a = activationBackward(l);
    parts.push(a.formula);
    if (a.filled) filled.push(a.filled);
  }
  const dz = l.dPreActivation ?? l.dOutput;
  const kernel = l.weights.find((w) => w.name === 'kernel');
  const bias = l.weights.find((w) => w.name === 'bias');
  switch (l.type) {
    case 'Dense': {
      parts.push('dL/dW = xᵀ·dL/dz,  dL/db = dL/dz,  dL/dx = dL/dz·Wᵀ');
      const cell = kernel ? kernelCell(l.input, dz, kernel.sampleGrad) : null;
      if (cell) filled.push(`dL/dW[${cell.i},${cell.j}] = x[${cell.i}]·dL/dz[${cell.j}] = ${par(cell.x)}·${par(cell.dz)} = ${n(cell.g)}`);
      break;
    }
    case 'Conv2D':
      parts.push('dL/dK = x ⋆ dL/dz (correlation of the input with the gradient),  dL/db[c] = Σ dL/dz[·,·,c],  dL/dx = dL/dz ∗ K (full convolution, kernel turned 180°)');
      break;
    case 'MaxPooling2D':
      parts.push('dL/dx = dL/dout routed to the maximum of each window, 0 elsewhere');
      break;
    case 'Flatten':
      parts.push('dL/dx = dL/dout reshaped back');
      break;
    case 'ReLU':
      parts.push('dL/dx = dL/da ⊙ (x > 0)  (the mask)');
      break;
    default:
      parts.push(MERGE_BACKWARD[l.type] ?? `dL/dx = dL/dout · ∂${l.type}/∂x`);
  }
  const sentTo = (k: number) => (l.sources?.[k] !== undefined ? ` → ${l.sources[k]}` : '');
  if (l.dInputs) l.dInputs.forEach((d, k) => filled.push(`dL/d(input ${k + 1}) ${dims(d)}: ‖·‖ = ${n(d.l2)}${sentTo(k)}`));
  else filled.push(`dL/d(input) ${dims(l.dInput)}: ‖·‖ = ${n(l.dInput.l2)}${sentTo(0)}`);
  for (const w of [kernel, bias, ...l.weights.filter((v) => v !== kernel && v !== bias)]) {
    if (!w) continue;
    filled.push(`dL/d${w.name}: this sample ‖·‖ = ${n(w.sampleGrad.l2)} (its share of the batch mean: ÷${t.batchSize} = ${n(w.sampleGrad.l2 / t.batchSize)}); batch mean used by the update ‖·‖ = ${n(w.batchGrad.l2)}`);
  }
  if (l.frozen) filled.push('frozen: the gradient passes through, the weights do not change');
  return { kind: 'backward', layer: i, title, formula: parts.join(';  '), filled };
}

function updateStage(t: TraceMessage): Stage {
  const filled: string[] = [`lr = ${n(t.lr)}`];
  for (const l of t.layers) {
    for (const w of l.weights) {
      const b = first(w.before);
      const a = first(w.after);
      const g = first(w.batchGrad);
      const at = w.before.values ? '[0]' : '[0,0]';
      filled.push(t.rule === 'ΔW = −lr·g'
        ? `${l.layer}.${w.name}${at}: ${n(b)} − ${n(t.lr)}·${par(g)} = ${n(a)};  ‖ΔW‖ = ${n(w.delta.l2)}`
        : `${l.layer}.${w.name}${at}: ${n(b)} → ${n(a)} (g = ${n(g)});  ‖ΔW‖ = ${n(w.delta.l2)}`);
    }
  }
  return { kind: 'update', layer: -1, title: `Update (${t.optimizer})`, formula: t.rule, filled };
}
