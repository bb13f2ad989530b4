// Messages between the extension host and the Model Lens webview (and the standalone report).
import { checkStepCommand, type StepCommand } from './messageChecks';
import type { TrainerMessage } from './messages';
import { comparedRunCheck, type ComparedRun } from './runComparison';
import { BATCH_COLUMNS, type BatchSeries } from './runState';
import { MAX_METRICS, METRIC_NAME_PATTERN } from './metricNames';
import { anything, arrayOf, finite, integer, literal, nullable, objectOf, optional, recordOf, refine, string, taggedUnion, type Checked, type TaggedFields } from './validation';

export type PanelView = 'graph' | 'summary' | 'training' | 'gradients' | 'data' | 'step';

/**
 * Host → webview. `Message` is what the trainer messages inside are known to be: TrainerMessage
 * where the host sends them, `unknown` where the panel receives them (it checks them one by one).
 */
export type HostToPanel<Message = TrainerMessage> =
  /**
   * Everything so far: the panel resets and replays (a panel opened or restored mid-run). The host
   * sends the batches as columns (`batches`) and the other messages in `messages`; a recorded run
   * (the HTML report) may send every message in `messages`.
   */
  | { type: 'snapshot'; runId: string; file: string; messages: Message[]; batches?: BatchSeries }
  /** New messages of the current run, batched by the host (≤ 20 posts per second). */
  | { type: 'messages'; runId: string; messages: Message[] }
  /** Which view to show (e.g. "Show Layer Summary"). */
  | { type: 'showView'; view: PanelView }
  /** Runs to overlay in the Training view (none: back to the shown run alone). */
  | { type: 'compare'; runs: ComparedRun[] };

/** Webview → host. */
export type PanelToHost =
  | { type: 'ready' }
  | { type: 'reveal'; layer: string }
  | { type: 'warn'; message: string }
  | { type: 'freeze'; layer: string; frozen: boolean }
  | { type: 'saveFile'; name: string; mime: string; base64: string }
  /** Open VS Code's diff of the experiment files of two compared runs (their runId). */
  | { type: 'compareFiles'; runs: [string, string] }
  /** Step through: pause, resume, step N or trace, for the host to pass on to the panel's run. */
  | { type: 'stepControl'; command: StepCommand };

export const PANEL_TO_HOST_CHECKS: TaggedFields<PanelToHost> = {
  ready: {},
  reveal: { layer: string },
  warn: { message: string },
  compareFiles: { runs: (v, p) => (Array.isArray(v) && v.length === 2 && v.every((id) => typeof id === 'string') ? null : `${p} must be two run ids`) },
  freeze: { layer: string, frozen: (v, p) => (typeof v === 'boolean' ? null : `${p} must be a boolean`) },
  saveFile: {
    name: (v, p) => (typeof v === 'string' && /^[\w.-]{1,100}$/.test(v) ? null : `${p} must be a plain file name`),
    mime: literal('image/svg+xml', 'image/png', 'text/csv', 'application/json', 'text/markdown', 'text/html'),
    base64: (v, p) => (typeof v === 'string' && v.length < 200_000_000 && /^[A-Za-z0-9+/]*={0,2}$/.test(v) ? null : `${p} must be base64`),
  },
  stepControl: {
    command: (v, p) => {
      const checked = checkStepCommand(v);
      return checked.ok ? null : `${p}: ${checked.error}`;
    },
  },
};

export const checkPanelToHost: (value: unknown) => Checked<PanelToHost> = taggedUnion<PanelToHost>('panel message', PANEL_TO_HOST_CHECKS);

/** Batch columns of finite numbers (step, epoch and batch integers; null in a metric's column), all the same length. */
const batchSeries = refine(
  objectOf<BatchSeries>({
    modelId: arrayOf(integer), step: arrayOf(integer), epoch: arrayOf(integer), batch: arrayOf(integer), metrics: recordOf(arrayOf(nullable(finite))),
    lr: arrayOf(finite), samplesPerSec: arrayOf(finite), elapsedSec: arrayOf(finite),
  }),
  (v, p) => {
    const names = Object.keys(v.metrics);
    if (names.length > MAX_METRICS || names.some((n) => !METRIC_NAME_PATTERN.test(n))) return `${p}.metrics must have at most ${MAX_METRICS} columns with metric names`;
    const lengths = [...BATCH_COLUMNS.map((c) => v[c].length), ...Object.values(v.metrics).map((c) => c.length)];
    return new Set(lengths).size === 1 ? null : `${p}'s columns must all have the same length`;
  },
);

export const HOST_TO_PANEL_CHECKS: TaggedFields<HostToPanel<unknown>> = {
  snapshot: { runId: string, file: string, messages: arrayOf(anything), batches: optional(batchSeries) },
  messages: { runId: string, messages: arrayOf(anything) },
  showView: { view: literal('graph', 'summary', 'training', 'gradients', 'data', 'step') },
  compare: { runs: arrayOf(comparedRunCheck) },
};

/**
 * Checks a host message's envelope; the trainer messages inside are checked one by one by the
 * caller (a bad one is dropped with a warning, the rest still apply).
 */
export const checkHostToPanel: (value: unknown) => Checked<HostToPanel<unknown>> = taggedUnion<HostToPanel<unknown>>('host message', HOST_TO_PANEL_CHECKS);
