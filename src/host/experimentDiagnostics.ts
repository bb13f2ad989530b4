import * as vscode from 'vscode';
import type { TrainerMessage } from '../protocol/messages';
import type { RunSession } from './runSession';

/**
 * Errors and anomalies of a run in the Problems panel, at the user's line. A run or inspection of
 * the same file that builds its model clears them.
 */
export class ExperimentDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('model-lens');

  watch(session: RunSession): void {
    const onMessage = (m: TrainerMessage) => {
      if (m.type === 'model') this.collection.delete(vscode.Uri.file(session.file));
      if (m.type === 'error' || m.type === 'anomaly') {
        const location = m.type === 'error' ? m.location : m.source;
        const file = location?.file ?? session.file;
        const line = Math.max(0, (location?.line ?? 1) - 1);
        const column = Math.max(0, (location?.column ?? 1) - 1);
        const range = new vscode.Range(line, column, line, Number.MAX_SAFE_INTEGER);
        const text = m.type === 'error' ? `${m.message}${m.hint ? ` — ${m.hint}` : ''}` : m.message;
        const d = new vscode.Diagnostic(range, text, m.type === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
        d.source = 'Model Lens';
        this.collection.set(vscode.Uri.file(file), [d]);
      }
      if (m.type === 'done') session.off('message', onMessage);
    };
    session.on('message', onMessage);
  }

  dispose(): void {
    this.collection.dispose();
  }
}
