// Custom scalars from the user's code: `globalThis.modelLens.log({ name: value })` (what scripts
// call, a no-op under plain node where nothing installs it) and `lens.log(...)` from 'model-lens'
// in experiment files, which calls the same global. Each call becomes one `scalars` message.
import { METRIC_NAME_PATTERN, MAX_METRICS, type Metrics } from '../protocol/metricNames';
import type { Emit } from './runMessages';

export interface ModelLensGlobal {
  /** Records named figures at the run's current step; a value that is not a finite number is left out. */
  log(values: Record<string, number>): void;
}

declare global {
  // eslint-disable-next-line no-var
  var modelLens: ModelLensGlobal | undefined;
}

/**
 * Installs `globalThis.modelLens` for this process until the returned function is called. `step()`
 * is the run's current step (the last batch trained; 0 before the first), used when it is > 0;
 * otherwise the calls are counted (a custom loop the trainer does not step).
 */
export function installScalarLog(emit: Emit, step: () => number): () => void {
  let calls = 0;
  const warned = new Set<string>();
  const warnOnce = (why: string) => {
    if (warned.has(why)) return;
    warned.add(why);
    emit({ type: 'log', level: 'warn', message: `modelLens.log: ${why}` });
  };
  const previous = globalThis.modelLens;
  globalThis.modelLens = {
    log(values: Record<string, number>): void {
      calls++;
      if (!values || typeof values !== 'object' || Array.isArray(values)) {
        warnOnce('takes an object of named numbers, e.g. modelLens.log({ gradNorm: 1.2 })');
        return;
      }
      const figures: Metrics = {};
      for (const [name, value] of Object.entries(values)) {
        if (!METRIC_NAME_PATTERN.test(name)) warnOnce(`the name ${JSON.stringify(name.slice(0, 80))} is left out: a name starts with a letter and has at most 64 letters, digits or _ . - /`);
        else if (typeof value !== 'number' || !Number.isFinite(value)) warnOnce(`${name} is left out when it is not a finite number (got ${String(value)})`);
        else if (Object.keys(figures).length < MAX_METRICS) figures[name] = value;
      }
      if (Object.keys(figures).length === 0) return;
      const at = step();
      emit({ type: 'scalars', step: at > 0 ? at : calls, values: figures });
    },
  };
  return () => { globalThis.modelLens = previous; };
}
