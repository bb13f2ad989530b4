import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

async function targetFolder(): Promise<vscode.Uri | undefined> {
  const folders = vscode.workspace.workspaceFolders;
  if (!folders?.length) {
    void vscode.window.showWarningMessage('Model Lens: open a folder first; the file is written into it.');
    return undefined;
  }
  if (folders.length === 1) return folders[0].uri;
  return (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Into which folder?' }))?.uri;
}

async function writeAndOpen(folder: vscode.Uri, name: string, text: string): Promise<void> {
  const target = vscode.Uri.joinPath(folder, name);
  if (fs.existsSync(target.fsPath)) {
    const answer = await vscode.window.showWarningMessage(`${name} exists. Replace it?`, { modal: true }, 'Replace');
    if (answer !== 'Replace') return;
  }
  await vscode.workspace.fs.writeFile(target, Buffer.from(text));
  await vscode.window.showTextDocument(target);
}

/** Open Example: copies a bundled example into the workspace and opens it. */
export async function openExample(context: vscode.ExtensionContext): Promise<void> {
  const dir = path.join(context.extensionPath, 'examples');
  const files = fs.readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f));
  const picked = await vscode.window.showQuickPick(files.map((f) => ({ label: f, detail: firstComment(path.join(dir, f)) })), { placeHolder: 'Copy which example into the workspace?' });
  if (!picked) return;
  const folder = await targetFolder();
  if (folder) await writeAndOpen(folder, picked.label, fs.readFileSync(path.join(dir, picked.label), 'utf8'));
}

/** New Experiment: a commented file from a template (MLP, CNN, 2-D playground set). */
export async function newExperiment(context: vscode.ExtensionContext): Promise<void> {
  // The MLP and CNN templates are the bundled examples themselves.
  const at = (...p: string[]) => path.join(context.extensionPath, ...p);
  const templates = [
    { label: 'MLP on MNIST', file: at('examples', 'mnist-mlp.ts'), name: 'mlp-experiment.ts' },
    { label: 'CNN on MNIST', file: at('examples', 'mnist-cnn.ts'), name: 'cnn-experiment.ts' },
    { label: '2-D playground set (spiral)', file: at('media', 'templates', 'playground.ts'), name: 'playground-experiment.ts' },
  ];
  const picked = await vscode.window.showQuickPick(templates.map((t) => ({ ...t, detail: firstComment(t.file) })), { placeHolder: 'New experiment from which template?' });
  if (!picked) return;
  const folder = await targetFolder();
  if (!folder) return;
  const name = await vscode.window.showInputBox({ prompt: 'File name', value: picked.name, validateInput: (v) => (/^[\w.-]+\.(ts|js)$/.test(v) ? null : 'A .ts or .js file name') });
  if (name) await writeAndOpen(folder, name, fs.readFileSync(picked.file, 'utf8'));
}

function firstComment(file: string): string {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.replace(/^\/\/\s?/, '')).join(' ').slice(0, 160);
}
