// The Model Lens panel: one RunState folded from validated messages, five views as tabs, and at
// most one render per animation frame however fast messages arrive. Runs in a VS Code webview or,
// with the run embedded, as the standalone HTML report.
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import { checkHostToPanel } from '../src/protocol/panelMessages';
import { checkTrainerMessage } from '../src/protocol/messageChecks';
import type { TrainerMessage } from '../src/protocol/messages';
import type { PanelToHost } from '../src/protocol/panelMessages';
import { applyMessage, emptyRunState, noChanges, type Changes, type RunState } from '../src/protocol/runState';
import type { View, ViewContext } from './view';
import { GraphView } from './views/graphView';
import { SummaryView } from './views/summaryView';
import { TrainingView } from './views/trainingView';
import { warmUpTrainingView } from './trainingWarmUp';
import { GradientsView } from './views/gradientsView';
import { DataView } from './views/dataView';
import { StepThroughView } from './views/stepThroughView';
import { renderStatusBar } from './statusBar';
import { comparedRun, distinctLabels, type ComparedRun } from '../src/protocol/runComparison';
import { ModelTracks } from '../src/protocol/modelTracks';
import type { ModelId } from '../src/protocol/messages';
import { ModelPicker } from './modelPicker';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** In the standalone report there is no host: the run is embedded in the page. */
function hostApi(): VsCodeApi {
  if (typeof acquireVsCodeApi === 'function') return acquireVsCodeApi();
  let saved: unknown = null;
  return { postMessage: () => undefined, getState: () => saved, setState: (s) => { saved = s; } };
}

const vscode = hostApi();
// The standalone report follows the system's light or dark preference.
if (typeof acquireVsCodeApi !== 'function' && !document.documentElement.dataset.theme) {
  document.documentElement.dataset.theme = matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}
const uiState: Record<string, unknown> = (vscode.getState() as Record<string, unknown> | null) ?? {};
const post = (m: PanelToHost) => vscode.postMessage(m);

let state: RunState = emptyRunState();
/** A script's models apart; `picked`: the one the user chose (null: follow the model training now). */
let tracks = new ModelTracks();
let picked: ModelId | null = null;
/** The model the views drew last: when another is shown, they redraw from scratch. */
let drawnModel: ModelId | null = null;
let runId: string | null = null;
const picker = new ModelPicker((id) => {
  picked = id;
  statusChanged = true;
  markChanged(noChanges());
});
const trainingView = new TrainingView();
const views: View[] = [new GraphView(), new SummaryView(), trainingView, new GradientsView(), new DataView(), new StepThroughView()];
const pending = new Map<string, Changes>(views.map((v) => [v.id, allChanged()]));
let statusChanged = true;
let frame = 0;

function allChanged(): Changes {
  return { model: true, batches: true, epochs: true, gradients: true, evaluation: true, samples: true, scalars: true, status: true, trace: true };
}

function warn(message: string): void {
  console.warn(`Model Lens: ${message}`);
  post({ type: 'warn', message });
}

const context = (view: View): ViewContext => ({
  reveal: (layer) => post({ type: 'reveal', layer }),
  getUiState: <T>(key: string, fallback: T) => (uiState[`${view.id}.${key}`] as T | undefined) ?? fallback,
  setUiState: (key, value) => { uiState[`${view.id}.${key}`] = value; vscode.setState(uiState); },
  warn,
  freeze: (layer, frozen) => {
    if (typeof acquireVsCodeApi !== 'function') return false;
    post({ type: 'freeze', layer, frozen });
    return true;
  },
  compareFiles: typeof acquireVsCodeApi === 'function' ? (a, b) => post({ type: 'compareFiles', runs: [a, b] }) : null,
  stepControl: (command) => {
    if (typeof acquireVsCodeApi !== 'function') return false;
    post({ type: 'stepControl', command });
    return true;
  },
  save: (name, mime, base64) => {
    if (typeof acquireVsCodeApi === 'function') { post({ type: 'saveFile', name, mime, base64 }); return; }
    const a = document.createElement('a');
    a.href = `data:${mime};base64,${base64}`;
    a.download = name;
    a.click();
  },
});

function markChanged(changes: Changes): void {
  const shownModel = tracks.ids().length > 1 ? picked ?? tracks.latest : null;
  if (shownModel !== drawnModel) {
    drawnModel = shownModel;
    Object.assign(changes, allChanged());
  }
  for (const c of pending.values()) for (const k of Object.keys(changes) as (keyof Changes)[]) c[k] ||= changes[k];
  statusChanged ||= changes.status || changes.batches || changes.epochs;
  schedule();
}

function schedule(): void {
  if (frame) return;
  frame = requestAnimationFrame(render);
}

function activeView(): View {
  const id = uiState.activeView as string | undefined;
  return views.find((v) => v.id === id) ?? views[0];
}

function render(): void {
  frame = 0;
  const started = performance.now();
  const shown = tracks.shown(state, picked);
  if (statusChanged) {
    renderStatusBar(document.getElementById('status')!, shown);
    picker.render(state.models, picked ?? tracks.latest);
    statusChanged = false;
  }
  const view = activeView();
  const changes = pending.get(view.id)!;
  if (Object.values(changes).some(Boolean)) {
    try {
      view.update(shown, changes);
    } catch (e) {
      warn(`the ${view.title} view failed to draw: ${(e as Error).message}`);
    }
    pending.set(view.id, noChanges());
  }
  // Benchmarks read these (npm run bench -- webview); the buffer is capped by the browser.
  performance.measure('ml-render', { start: started, end: performance.now() });
}

/** Applies the trainer messages that pass their checks; a bad one is dropped with a warning. */
function applyAll(messages: unknown[]): void {
  const changes = noChanges();
  for (const raw of messages) {
    const checked = checkTrainerMessage(raw);
    if (!checked.ok) { warn(`ignored a message: ${checked.error}`); continue; }
    applyMessage(state, checked.value as TrainerMessage, changes);
    tracks.apply(checked.value as TrainerMessage);
  }
  markChanged(changes);
}

function onHostMessage(data: unknown): void {
  const checked = checkHostToPanel(data);
  if (!checked.ok) { warn(`ignored a message: ${checked.error}`); return; }
  const m = checked.value;
  if (m.type === 'showView') { selectView(m.view); return; }
  if (m.type === 'compare') {
    trainingView.compare(m.runs);
    if (m.runs.length) selectView('training');
    return;
  }
  if (m.type === 'snapshot') {
    runId = m.runId;
    trainingView.compare([]);
    state = emptyRunState();
    tracks = new ModelTracks();
    picked = drawnModel = null;
    if (m.batches) {
      state.batches = m.batches;
      tracks.applyBatches(m.batches);
    }
    for (const v of views) pending.set(v.id, allChanged());
    applyAll(m.messages);
    return;
  }
  if (m.runId !== runId) return; // a late batch of a run this panel no longer shows
  applyAll(m.messages);
}

/**
 * A report of several runs embeds them all (model-lens-runs: `[{ runId, file, name, status, messages }]`):
 * the page overlays them as the host would, from their messages, each checked.
 */
function embeddedRuns(): ComparedRun[] {
  const element = document.getElementById('model-lens-runs');
  if (!element?.textContent) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(element.textContent);
  } catch {
    warn('the embedded runs are not JSON');
    return [];
  }
  if (!Array.isArray(raw)) return [];
  const runs: ComparedRun[] = [];
  for (const r of raw as Record<string, unknown>[]) {
    if (!r || typeof r.runId !== 'string' || !Array.isArray(r.messages)) continue;
    const messages: TrainerMessage[] = [];
    for (const m of r.messages) {
      const checked = checkTrainerMessage(m);
      if (checked.ok) messages.push(checked.value);
    }
    const text = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
    runs.push(comparedRun({ runId: r.runId, label: text(r.name, r.runId), file: text(r.file, ''), status: text(r.status, '') }, messages));
  }
  const labels = distinctLabels(runs.map((r) => ({ name: r.label, id: r.runId, params: r.params })));
  return runs.map((r, i) => ({ ...r, label: labels[i] }));
}

function selectView(id: string): void {
  const index = views.findIndex((v) => v.id === id);
  if (index < 0) return;
  uiState.activeView = id;
  vscode.setState(uiState);
  const tabs = document.querySelector('vscode-tabs') as (HTMLElement & { selectedIndex: number }) | null;
  if (tabs && tabs.selectedIndex !== index) tabs.selectedIndex = index;
  pending.set(id, allChanged());
  schedule();
}

function mount(): void {
  const app = document.getElementById('app')!;
  const tabs = document.createElement('vscode-tabs') as HTMLElement & { selectedIndex: number };
  for (const view of views) {
    const header = document.createElement('vscode-tab-header');
    header.setAttribute('slot', 'header');
    header.textContent = view.title;
    header.dataset.tab = view.id; // vscode-tabs assigns its own ids
    const panel = document.createElement('vscode-tab-panel');
    panel.dataset.view = view.id;
    panel.className = `view view-${view.id}`;
    tabs.append(header, panel);
    view.mount(panel, context(view));
  }
  tabs.selectedIndex = Math.max(0, views.indexOf(activeView()));
  tabs.addEventListener('vsc-tabs-select', (e) => {
    const index = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
    if (views[index]) selectView(views[index].id);
  });
  app.append(picker.element, tabs);
  window.addEventListener('message', (e) => onHostMessage(e.data));
  window.addEventListener('resize', () => { for (const v of views) pending.set(v.id, allChanged()); schedule(); });
  const embedded = document.getElementById('model-lens-run');
  if (embedded?.textContent) onHostMessage(JSON.parse(embedded.textContent));
  const several = embeddedRuns();
  if (several.length > 1) onHostMessage({ type: 'compare', runs: several });
  schedule();
  post({ type: 'ready' });
  // Until the model arrives: the host's first snapshot comes at once, the model seconds later.
  void warmUpTrainingView(() => new TrainingView(), () => !state.model);
}

mount();
