import * as vscode from 'vscode';
import { runCli } from './cliProcess';

const EXPERIMENT_FILE = /\.(m|c)?(t|j)s$|model\.json$/i;

function activeModelFile(): vscode.Uri | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc && doc.uri.scheme === 'file' && EXPERIMENT_FILE.test(doc.fileName) ? doc.uri : undefined;
}

/** Experiment files are code: they run only in a trusted workspace. */
function refuseIfUntrusted(action: string): boolean {
  if (vscode.workspace.isTrusted) return false;
  void vscode.window.showWarningMessage(
    `Model Lens: ${action} runs the experiment file's code, so it is disabled in Restricted Mode. ` +
      'Trust this folder (Manage Workspace Trust) to use it.');
  return true;
}

async function showSummary(context: vscode.ExtensionContext, output: vscode.OutputChannel): Promise<void> {
  if (refuseIfUntrusted('Show Layer Summary')) return;
  const file = activeModelFile();
  if (!file) {
    void vscode.window.showInformationMessage('Model Lens: open an experiment file (.ts/.js) or a model.json first.');
    return;
  }
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Model Lens: summarising model…', cancellable: false },
    () => runCli(context, ['summary', file.fsPath]),
  );
  output.clear();
  output.appendLine(result.code === 0 ? result.stdout : result.stderr);
  output.show(true);
  if (result.code !== 0) void vscode.window.showErrorMessage(`Model Lens: ${result.stderr.trim().split('\n')[0]}`);
}

function notYet(feature: string): () => void {
  return () => void vscode.window.showInformationMessage(
    `Model Lens: ${feature} is not available in this version yet. ` +
      '"Show Layer Summary" works now, and so does the CLI: model-lens summary|graph FILE.');
}

export function registerCommands(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Model Lens');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('modelLens.train', notYet('Train Model')),
    vscode.commands.registerCommand('modelLens.stop', notYet('Stop Training')),
    vscode.commands.registerCommand('modelLens.showGraph', notYet('Show Model Graph')),
    vscode.commands.registerCommand('modelLens.showSummary', () => showSummary(context, output)),
  );
}
