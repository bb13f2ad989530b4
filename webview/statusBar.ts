import { metricsText } from '../src/protocol/metricNames';
import { metricsAt, type RunState } from '../src/protocol/runState';

const fmt = (v: number, digits = 4) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

/** The line above the tabs: model, backend, progress, the last batch's figures (said to be the batch's), ETA. */
export function renderStatusBar(el: HTMLElement, state: RunState): void {
  const parts: string[] = [];
  const m = state.model;
  if (m) parts.push(`${m.name}`);
  if (state.ready) parts.push(`${state.ready.backend}`);
  const b = state.batches;
  const n = b.step.length;
  if (m && n > 0) {
    // A script's model has no plan: its progress is counted, not measured against a total.
    const plan = m.plan;
    const done = b.step[n - 1];
    const rate = b.samplesPerSec[n - 1];
    const secPerStep = rate > 0 && plan ? plan.batchSize / rate : NaN;
    const eta = state.status === 'running' && plan ? (plan.totalSteps - done) * secPerStep : NaN;
    if (plan || state.epoch > 0) parts.push(plan ? `epoch ${state.epoch}/${plan.epochs}` : `epoch ${state.epoch}`);
    parts.push(plan ? `step ${done}/${plan.totalSteps}` : `step ${done}`,
      `batch ${metricsText(metricsAt(b, n - 1))}`, `${Math.round(rate)} samples/s`, `elapsed ${fmt(b.elapsedSec[n - 1], 1)} s`);
    if (state.status === 'running' && Number.isFinite(eta)) parts.push(`ETA ${Math.max(0, eta).toFixed(0)} s`);
  }
  const status = state.status === 'running' && !m ? 'starting' : state.status;
  el.dataset.status = status;
  el.textContent = '';
  const badge = document.createElement('span');
  badge.className = 'status-badge';
  badge.textContent = state.paused && status === 'running' ? `paused after step ${state.paused.step}` : status;
  el.append(badge, document.createTextNode(` ${parts.join(' · ')}`));
  const problem = state.anomaly?.message ?? state.error?.message;
  if (problem) {
    const p = document.createElement('div');
    p.className = 'status-problem';
    p.textContent = problem;
    el.append(p);
  }
}
