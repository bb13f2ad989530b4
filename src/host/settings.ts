import * as vscode from 'vscode';
import type { BackendName } from '../protocol/messages';

export interface ModelLensSettings {
  backend: BackendName | 'auto';
  /** Threads of the wasm backend; undefined: the trainer's default (one). */
  threads: number | undefined;
  gradientEvery: number | undefined;
  datasetFolder: string | undefined;
  maxUpdatesPerSecond: number;
  /** How long building the model (model(), loadModel, a model.json) may take, in seconds. */
  buildTimeoutSeconds: number;
  /** "Train · Graph · Summary" above an experiment's default export. */
  codeLens: boolean;
  /** The layer hover on `tf.layers.*(...)` calls. */
  hover: boolean;
  /** Build the model again (in the trainer process) when an experiment file is saved: Problems, hovers. */
  inspectOnSave: boolean;
  /** Keep the last N runs of each file on disk; undefined keeps them all. */
  keepRuns: number | undefined;
  /** Training progress also as a notification (it covers the panel's corner, so off by default). */
  progressNotification: boolean;
}

export function readSettings(): ModelLensSettings {
  const c = vscode.workspace.getConfiguration('modelLens');
  const every = c.get<number>('gradientSamplingInterval', 0);
  const folder = c.get<string>('datasetFolder', '').trim();
  const timeout = Number(c.get<number>('buildTimeoutSeconds', 60));
  const keep = Number(c.get<number>('keepRuns', 0));
  return {
    backend: c.get<BackendName | 'auto'>('backend', 'auto'),
    threads: threadsSetting(c.get<number>('threads', 0)),
    gradientEvery: every > 0 ? Math.floor(every) : undefined,
    datasetFolder: folder || undefined,
    maxUpdatesPerSecond: Math.min(60, Math.max(1, c.get<number>('maxUiUpdatesPerSecond', 20))),
    buildTimeoutSeconds: Number.isFinite(timeout) && timeout >= 1 ? timeout : 60,
    codeLens: c.get<boolean>('codeLens.enabled', true) !== false,
    hover: c.get<boolean>('hover.enabled', true) !== false,
    inspectOnSave: c.get<boolean>('inspectOnSave', true) !== false,
    keepRuns: Number.isInteger(keep) && keep >= 1 ? keep : undefined,
    progressNotification: c.get<boolean>('progressNotification', false),
  };
}

/** modelLens.threads: a whole number ≥ 0 (0: all cores but one), else the default. */
function threadsSetting(value: unknown): number | undefined {
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}
