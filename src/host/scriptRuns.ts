// Running the user's own tfjs scripts (not experiment files) with Model Lens: the command "Run
// Script with Model Lens" and its CodeLens above the script's first fit / fitDataset / minimize.
// A script is code that is not ours to run implicitly: only this explicit command runs it, only in
// a trusted workspace; the lens is offered only there, and hovers on a script's layer lines read
// the last run, never starting one.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExperimentDiagnostics } from './experimentDiagnostics';
import type { ExperimentRecognizer } from './experimentRecognizer';
import { ModelLensPanel } from './modelLensPanel';
import type { RunRegistry } from './runRegistry';
import { readSettings } from './settings';
import { sourceTools } from './sourceTools';

const SCRIPT_FILE = /\.(ts|mts|cts|js|mjs|cjs)$/i;

/** The file the command runs: the one given (CodeLens, explorer), else the active editor's. */
function scriptTarget(uri?: vscode.Uri): vscode.Uri | undefined {
  if (uri instanceof vscode.Uri) return uri;
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.uri.scheme === 'file' ? doc.uri : undefined;
}

/** Runs a script as node would from its workspace folder, with the panel following its models and fits. */
export async function runScript(context: vscode.ExtensionContext, registry: RunRegistry, output: vscode.LogOutputChannel, diagnostics: ExperimentDiagnostics,
  uri?: vscode.Uri): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Model Lens: Run Script runs the script\'s code, so it is disabled in Restricted Mode. ' +
      'Trust this folder (Manage Workspace Trust) to use it.');
    return;
  }
  const target = scriptTarget(uri);
  if (!target || !SCRIPT_FILE.test(target.fsPath)) {
    void vscode.window.showInformationMessage('Model Lens: open a TypeScript or JavaScript script (.ts, .js, .mjs) to run it with Model Lens.');
    return;
  }
  const file = target.fsPath;
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
  if (doc?.isDirty) await doc.save();
  const existing = registry.runFor(file);
  if (existing?.running) await new Promise<void>((resolve) => { existing.once('end', () => resolve()); existing.stop(); });
  const settings = readSettings();
  const cwd = vscode.workspace.getWorkspaceFolder(target)?.uri.fsPath ?? path.dirname(file);
  const session = registry.start({ file, backend: settings.backend, threads: settings.threads, gradientEvery: settings.gradientEvery, script: { args: [] } }, cwd);
  diagnostics.watch(session);
  output.show(true);
  ModelLensPanel.show(context, registry, session, 'graph');
  session.once('end', (d) => {
    if (d.reason !== 'error') return;
    const problem = session.state.error?.message ?? 'the script ended with an error';
    void vscode.window.showErrorMessage(`Model Lens: ${path.basename(file)}: ${problem}`, 'Show Output').then((a) => { if (a) output.show(true); });
  });
}

/** "Run Script with Model Lens" above the first training call of a script (not of an experiment), in trusted workspaces. */
export class ScriptCodeLens implements vscode.CodeLensProvider {
  private readonly seen = new Map<string, { version: number; line: number | null }>();

  constructor(private readonly recognizer: ExperimentRecognizer) {}

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.isTrusted || doc.uri.scheme !== 'file' || !SCRIPT_FILE.test(doc.fileName) || this.recognizer.isExperiment(doc)) return [];
    const key = doc.uri.toString();
    let known = this.seen.get(key);
    if (known?.version !== doc.version) {
      known = { version: doc.version, line: sourceTools().firstTrainingCall(doc.getText(), doc.fileName)?.line ?? null };
      this.seen.set(key, known);
    }
    if (known.line === null) return [];
    const range = new vscode.Range(known.line - 1, 0, known.line - 1, 0);
    return [new vscode.CodeLens(range, { title: '$(play) Run Script with Model Lens', command: 'modelLens.runScript', arguments: [doc.uri] })];
  }
}
