// Quick Fixes for the model doctor's problems: each fix of a diagnosis becomes a code action whose
// edit src/source computes from the document's text as it is now (unsaved changes included).
import * as vscode from 'vscode';
import type { ExperimentDiagnostics } from './experimentDiagnostics';
import { sourceTools } from './sourceTools';

export class DoctorQuickFixes implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly diagnostics: ExperimentDiagnostics) {}

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (let line = range.start.line; line <= range.end.line; line++) {
      for (const { diagnostic, diagnosis } of this.diagnostics.diagnosesAt(doc.fileName, line)) {
        diagnosis.fixes.forEach((fix, i) => {
          // A setting's fix edits the experiment file; a layer's fix the file the layer was made in (this one).
          const isSetting = fix.kind !== 'setActivation';
          if (isSetting && this.diagnostics.runFileOf(doc.fileName) !== doc.fileName) return;
          const site = diagnosis.source?.file === doc.fileName ? diagnosis.source : null;
          const result = sourceTools().editForFix(doc.getText(), doc.fileName, fix, site);
          if (result.kind !== 'edit') return;
          const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
          action.diagnostics = [diagnostic];
          action.isPreferred = i === 0;
          action.edit = new vscode.WorkspaceEdit();
          action.edit.replace(doc.uri, new vscode.Range(doc.positionAt(result.edit.start), doc.positionAt(result.edit.end)), result.edit.text);
          actions.push(action);
        });
      }
    }
    return actions;
  }
}
