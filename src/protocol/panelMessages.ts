// Messages between the extension host and the Model Lens webview (and the standalone report).
import type { TrainerMessage } from './messages';
import { BATCH_COLUMNS, type BatchSeries } from './runState';
import { all, anything, arrayOf, checkTagged, finite, integer, literal, object, optional, string, type Check, type Checked } from './validation';

/** Host → webview. */
export type HostToPanel =
  /**
   * Everything so far: the panel resets and replays (a panel opened or restored mid-run). The host
   * sends the batches as columns (`batches`) and the other messages in `messages`; a recorded run
   * (the HTML report) may send every message in `messages`.
   */
  | { type: 'snapshot'; runId: string; file: string; messages: TrainerMessage[]; batches?: BatchSeries }
  /** New messages of the current run, batched by the host (≤ 20 posts per second). */
  | { type: 'messages'; runId: string; messages: TrainerMessage[] }
  /** Which view to show (e.g. "Show Layer Summary"). */
  | { type: 'showView'; view: 'graph' | 'summary' | 'training' | 'gradients' | 'data' };

/** Webview → host. */
export type PanelToHost =
  | { type: 'ready' }
  | { type: 'reveal'; layer: string }
  | { type: 'warn'; message: string }
  | { type: 'freeze'; layer: string; frozen: boolean }
  | { type: 'saveFile'; name: string; mime: string; base64: string };

const PANEL_TO_HOST: Record<string, Check> = {
  ready: object({}),
  reveal: object({ layer: string }),
  warn: object({ message: string }),
  freeze: object({ layer: string, frozen: (v, p) => (typeof v === 'boolean' ? null : `${p} must be a boolean`) }),
  saveFile: object({
    name: (v, p) => (typeof v === 'string' && /^[\w.-]{1,100}$/.test(v) ? null : `${p} must be a plain file name`),
    mime: literal('image/svg+xml', 'image/png', 'text/csv', 'application/json', 'text/markdown', 'text/html'),
    base64: (v, p) => (typeof v === 'string' && v.length < 200_000_000 && /^[A-Za-z0-9+/]*={0,2}$/.test(v) ? null : `${p} must be base64`),
  }),
};

export function checkPanelToHost(value: unknown): Checked<PanelToHost> {
  return checkTagged<PanelToHost>(value, PANEL_TO_HOST, 'panel message');
}

/** Batch columns of finite numbers (step, epoch and batch integers), all the same length. */
const INTEGER_COLUMNS: ReadonlySet<string> = new Set(['step', 'epoch', 'batch']);
const batchSeries: Check = all(
  object(Object.fromEntries(BATCH_COLUMNS.map((c) => [c, arrayOf(INTEGER_COLUMNS.has(c) ? integer : finite)]))),
  (v, p) => {
    const lengths = new Set(BATCH_COLUMNS.map((c) => (v as BatchSeries)[c].length));
    return lengths.size === 1 ? null : `${p}'s columns must all have the same length`;
  },
);

const HOST_TO_PANEL: Record<string, Check> = {
  snapshot: object({ runId: string, file: string, messages: arrayOf(anything), batches: optional(batchSeries) }),
  messages: object({ runId: string, messages: arrayOf(anything) }),
  showView: object({ view: literal('graph', 'summary', 'training', 'gradients', 'data') }),
};

/**
 * Checks a host message's envelope; the trainer messages inside are checked one by one by the
 * caller (a bad one is dropped with a warning, the rest still apply).
 */
export function checkHostToPanel(value: unknown): Checked<HostToPanel> {
  return checkTagged<HostToPanel>(value, HOST_TO_PANEL, 'host message');
}

