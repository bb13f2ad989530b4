import * as vscode from 'vscode';
import type { SourceLocation } from '../protocol/modelInfo';

/** Opens the user's file at a layer's construction call (1-based line and column). */
export async function revealLayer(location: SourceLocation): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(location.file));
  const position = new vscode.Position(Math.max(0, location.line - 1), Math.max(0, location.column - 1));
  await vscode.window.showTextDocument(doc, {
    viewColumn: vscode.ViewColumn.One,
    selection: new vscode.Range(position, position),
    preserveFocus: false,
  });
}
