// What the editor shows around experiment files, and the switches for it: the context keys the
// title-bar buttons depend on, and the CodeLens and hover providers behind their settings.
import * as vscode from 'vscode';
import type { RunRegistry } from './runRegistry';
import { readSettings } from './settings';

/** `when` clauses of package.json's menus: Train on an experiment file, Stop while a training runs. */
export const CONTEXT_IS_EXPERIMENT = 'modelLens.isExperiment';
export const CONTEXT_RUNNING = 'modelLens.running';

/** Keeps the two context keys current: on editor switches and saves, and as trainings start and end. */
export class EditorContextKeys implements vscode.Disposable {
  private readonly values = new Map<string, boolean>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(registry: RunRegistry, isExperiment: (doc: vscode.TextDocument) => boolean) {
    const updateEditor = () => {
      const doc = vscode.window.activeTextEditor?.document;
      this.set(CONTEXT_IS_EXPERIMENT, doc !== undefined && isExperiment(doc));
    };
    const updateRunning = () => this.set(CONTEXT_RUNNING, registry.runningSessions().length > 0);
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(updateEditor),
      vscode.workspace.onDidSaveTextDocument((doc) => { if (doc === vscode.window.activeTextEditor?.document) updateEditor(); }),
      registry.onDidStart((session) => {
        updateRunning();
        session.once('end', updateRunning);
      }),
    );
    updateEditor();
    updateRunning();
  }

  private set(key: string, value: boolean): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** `provider`'s hovers while `modelLens.hover.enabled` is on. */
export function hoverWhenEnabled(provider: vscode.HoverProvider): vscode.HoverProvider {
  return {
    provideHover: (doc, position, token) => (readSettings().hover ? provider.provideHover(doc, position, token) : undefined),
  };
}

/** `provider`'s lenses while `modelLens.codeLens.enabled` is on; switching it redraws them at once. */
export function codeLensWhenEnabled(provider: vscode.CodeLensProvider): vscode.CodeLensProvider & vscode.Disposable {
  const changed = new vscode.EventEmitter<void>();
  const listener = vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('modelLens.codeLens.enabled')) changed.fire();
  });
  return {
    onDidChangeCodeLenses: changed.event,
    provideCodeLenses: (doc, token) => (readSettings().codeLens ? provider.provideCodeLenses(doc, token) : []),
    dispose: () => { listener.dispose(); changed.dispose(); },
  };
}
