import * as vscode from 'vscode';
import { sourceTools } from './sourceTools';

interface Known {
  version: number;
  experiment: boolean;
  exportLine: number | null;
}

/**
 * Which documents are experiments, as the parser reads their default export: only those run
 * implicitly (hover, CodeLens, inspect on save); any other script runs only on an explicit command.
 * One parse per document version; a version that does not parse keeps the document's last verdict
 * (a file mid-edit is still the experiment it was), and a document never recognised is not run.
 */
export class ExperimentRecognizer implements vscode.Disposable {
  private readonly known = new Map<string, Known>();
  private readonly closing = vscode.workspace.onDidCloseTextDocument((doc) => this.known.delete(doc.uri.toString()));

  private recognize(doc: vscode.TextDocument): Known {
    const key = doc.uri.toString();
    const last = this.known.get(key);
    if (last && last.version === doc.version) return last;
    const now = sourceTools().recognizeExperiment(doc.getText(), doc.fileName);
    const next: Known = now.certain
      ? { version: doc.version, experiment: now.experiment, exportLine: now.exportLine }
      : { version: doc.version, experiment: last?.experiment ?? false, exportLine: last?.exportLine ?? null };
    this.known.set(key, next);
    return next;
  }

  /** A file on disk, in TypeScript or JavaScript, whose default export is an experiment. */
  isExperiment(doc: vscode.TextDocument): boolean {
    if (doc.uri.scheme !== 'file' || !/^(typescript|javascript)$/.test(doc.languageId)) return false;
    return this.recognize(doc).experiment;
  }

  /** 0-based line of the exported experiment, for a recognised experiment. */
  exportLine(doc: vscode.TextDocument): number | null {
    if (!this.isExperiment(doc)) return null;
    const line = this.recognize(doc).exportLine;
    return line === null ? null : line - 1;
  }

  dispose(): void {
    this.closing.dispose();
    this.known.clear();
  }
}
