// Freeze / Unfreeze from the graph: the experiment's `freeze` list edited in the open document as one
// small, undoable edit (src/source/freezeEdit.ts finds it through the syntax tree). The document is
// not saved: the user's unsaved changes stay theirs, and the next inspection reads the editor's text.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { sourceTools } from './sourceTools';

function revealLine(doc: vscode.TextDocument, line: number): Thenable<vscode.TextEditor> {
  const at = new vscode.Range(line - 1, 0, line - 1, 0);
  return vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preserveFocus: true, selection: at });
}

/** Edits `file`'s freeze list in its document; false (with a message saying why) when nothing was changed. */
export async function freezeInEditor(file: string, layer: string, frozen: boolean): Promise<boolean> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const name = path.basename(file);
  const result = sourceTools().editFreezeList(doc.getText(), doc.fileName, layer, frozen);
  if (result.kind === 'manual') {
    const answer = await vscode.window.showWarningMessage(
      `Model Lens: left ${name} as it is: ${result.reason}. At line ${result.line}, ${result.action}.`, `Go to Line ${result.line}`);
    if (answer) await revealLine(doc, result.line);
    return false;
  }
  if (result.kind === 'unchanged') {
    void vscode.window.showInformationMessage(frozen
      ? `Model Lens: "${layer}" is already in ${name}'s freeze list.`
      : `Model Lens: "${layer}" is not in ${name}'s freeze list; if the code sets trainable = false, change it there.`);
    return false;
  }
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(result.edit.start), doc.positionAt(result.edit.end)), result.edit.text);
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showErrorMessage(`Model Lens: VS Code refused the edit of ${name}'s freeze list; ${frozen ? 'add' : 'remove'} "${layer}" at line ${result.line} by hand.`);
    return false;
  }
  await revealLine(doc, result.line);
  return true;
}
