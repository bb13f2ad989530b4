import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunState } from '../protocol/runState';
import { metricsCsv } from '../runs/metricsCsv';
import type { RunSession } from './runSession';

/** The torchinfo table as Markdown. */
export function summaryMarkdown(state: RunState): string {
  const s = state.model?.summary;
  if (!s) return '';
  const shape = (x: unknown) => JSON.stringify(x).replace(/null/g, 'B');
  const lines = [
    `# ${state.model!.name} — layer summary (batch ${s.batchSize})`, '',
    '| Layer (type (var_name):depth-idx) | Input Shape | Output Shape | Param # | Param % | Kernel Shape | Mult-Adds | Trainable |',
    '|---|---|---|---:|---:|---|---:|---|',
    ...s.layers.map((r) => `| ${'&nbsp;&nbsp;'.repeat(r.depth)}${r.type} (${r.name})${r.depthIndex ? `: ${r.depthIndex}` : ''} | ${r.inputShapes.map(shape).join(', ')} | ${shape(r.outputShape)} | ${r.params.toLocaleString('en-US')} | ${r.paramPercent.toFixed(2)}% | ${r.kernelShape ? shape(r.kernelShape) : '--'} | ${r.multAdds.toLocaleString('en-US')} | ${r.trainable} |`),
    '', `Total params: ${s.totals.totalParams.toLocaleString('en-US')}  `, `Trainable params: ${s.totals.trainableParams.toLocaleString('en-US')}  `,
    `Non-trainable params: ${s.totals.nonTrainableParams.toLocaleString('en-US')}  `, `Total mult-adds: ${s.totals.multAdds.toLocaleString('en-US')}  `,
    `Estimated total size (MB): ${(s.totals.totalBytes / 1e6).toFixed(2)}`, '',
  ];
  return lines.join('\n');
}

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
