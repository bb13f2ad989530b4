import * as vscode from 'vscode';
import type { DiagnosisMessage, TrainerMessage } from '../protocol/messages';
import type { SourceLocation } from '../protocol/modelInfo';
import type { RunSession } from './runSession';

/** A problem in the Problems panel and, for the doctor's, the diagnosis whose fixes the Quick Fixes offer. */
interface Finding {
  diagnostic: vscode.Diagnostic;
  diagnosis: DiagnosisMessage | null;
}

/**
 * Errors, anomalies and the model doctor's diagnoses of a run in the Problems panel, at the user's
 * line (a Run Script's too). A run or inspection of the same file that builds its model clears them.
 */
export class ExperimentDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('model-lens');
  private readonly findings = new Map<string, Finding[]>();
  /** Shown file → the experiment file whose run showed it there. */
  private readonly runOf = new Map<string, string>();

  watch(session: RunSession): void {
    // A script announces each of its models (and again at a new batch size): only the run's first clears.
    let cleared = false;
    const onMessage = (m: TrainerMessage) => {
      if (m.type === 'model' && !cleared) {
        cleared = true;
        this.clear(session.file);
      }
      if (m.type === 'diagnosis') {
        this.add(m.source, session.file, m.message,
          m.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning, m);
      }
      if (m.type === 'error' || m.type === 'anomaly') {
        const location = m.type === 'error' ? m.location : m.source;
        // The doctor's error stops the run with the same words: one problem, with its fixes.
        const file = location?.file ?? session.file;
        if (this.findings.get(file)?.some((f) => f.diagnosis?.message === m.message)) return;
        const text = m.type === 'error' ? `${m.message}${m.hint ? ` — ${m.hint}` : ''}` : m.message;
        this.add(location, session.file, text, m.type === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning, null);
      }
      if (m.type === 'done') session.off('message', onMessage);
    };
    session.on('message', onMessage);
  }

  /** The doctor's diagnoses shown for `file` on `line` (0-based), for the Quick Fixes there. */
  diagnosesAt(file: string, line: number): { diagnostic: vscode.Diagnostic; diagnosis: DiagnosisMessage }[] {
    return (this.findings.get(file) ?? [])
      .filter((f): f is { diagnostic: vscode.Diagnostic; diagnosis: DiagnosisMessage } => f.diagnosis !== null && f.diagnostic.range.start.line === line);
  }

  /** The experiment file whose run put the problems shown in `file`. */
  runFileOf(file: string): string | undefined {
    return this.runOf.get(file);
  }

  /** Clears what runs of `runFile` showed, in it and in the files its layers come from. */
  private clear(runFile: string): void {
    for (const [file, owner] of [...this.runOf, [runFile, runFile] as const]) {
      if (owner !== runFile) continue;
      this.findings.delete(file);
      this.runOf.delete(file);
      this.collection.delete(vscode.Uri.file(file));
    }
  }

  private add(location: SourceLocation | null, runFile: string, text: string, severity: vscode.DiagnosticSeverity, diagnosis: DiagnosisMessage | null): void {
    const file = location?.file ?? runFile;
    const line = Math.max(0, (location?.line ?? 1) - 1);
    const column = Math.max(0, (location?.column ?? 1) - 1);
    const d = new vscode.Diagnostic(new vscode.Range(line, column, line, Number.MAX_SAFE_INTEGER), text, severity);
    d.source = 'Model Lens';
    if (diagnosis) d.code = diagnosis.code;
    const list = [...(this.findings.get(file) ?? []), { diagnostic: d, diagnosis }];
    this.findings.set(file, list);
    this.runOf.set(file, runFile);
    this.collection.set(vscode.Uri.file(file), list.map((f) => f.diagnostic));
  }

  dispose(): void {
    this.collection.dispose();
  }
}
