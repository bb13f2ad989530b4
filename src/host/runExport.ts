import * as path from 'node:path';
import * as vscode from 'vscode';
import { metricsCsv } from '../runs/metricsCsv';
import { summaryMarkdown } from '../runs/summaryMarkdown';
import type { RunSession } from './runSession';

/** Export Run: metrics (CSV, JSON), the summary (Markdown) and the run's messages into a folder. */
export async function exportRun(session: RunSession | null): Promise<void> {
  if (!session?.state.model) {
    void vscode.window.showInformationMessage('Model Lens: there is no run to export yet. Train a model first.');
    return;
  }
  const folder = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Export Here',
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
  if (!folder?.[0]) return;
  const base = path.basename(session.file).replace(/\.[^.]+$/, '');
  const write = (name: string, text: string) => vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder[0], `${base}-${name}`), Buffer.from(text));
  const s = session.state;
  await write('metrics.csv', metricsCsv(s.batches));
  await write('metrics.json', JSON.stringify({ epochs: s.epochs, evaluation: s.evaluation, batches: s.batches, scalars: s.scalars, gradients: s.gradients.byLayer, steps: s.gradients.steps }, null, 1));
  await write('summary.md', summaryMarkdown(s));
  await write('run.jsonl', Array.from(session.messages(), (m) => JSON.stringify(m)).join('\n'));
  void vscode.window.showInformationMessage(`Model Lens: exported ${base}-metrics.csv, -metrics.json, -summary.md and -run.jsonl. The graph exports as SVG or PNG from the panel's Graph view.`);
}
