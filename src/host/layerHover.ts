import * as vscode from 'vscode';
import type { ModelMessage } from '../protocol/messages';
import type { SummaryRow } from '../protocol/modelInfo';
import { epochFiguresText, layerGradientInfo } from '../protocol/runState';
import type { ExperimentRecognizer } from './experimentRecognizer';
import type { RunRegistry } from './runRegistry';

const thousands = (n: number) => n.toLocaleString('en-US');
const shape = (s: unknown) => JSON.stringify(s).replace(/null/g, 'B').replace(/,/g, ', ');
const figure = (v: number | null | undefined) => (v === null || v === undefined ? '–' : Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4 ? v.toExponential(2) : v.toPrecision(3));

/** ▁▂▃▄▅▆▇█ of log values: a trend that fits in a hover line. */
export function sparkline(values: (number | null)[]): string {
  const logs = values.map((v) => (v !== null && v > 0 ? Math.log10(v) : null));
  const finite = logs.filter((v): v is number => v !== null);
  if (finite.length < 2) return '';
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const bars = '▁▂▃▄▅▆▇█';
  return logs.map((v) => (v === null ? ' ' : bars[Math.round(((v - lo) / (hi - lo || 1)) * 7)])).join('');
}

/** The summary row of the layer constructed on `line` (1-based) nearest before `column`. */
export function rowAt(rows: SummaryRow[], file: string, line: number, column: number): SummaryRow | undefined {
  const here = rows.filter((r) => r.source && r.source.file === file && r.source.line === line);
  if (here.length <= 1) return here[0];
  const before = here.filter((r) => r.source!.column <= column + 1).sort((a, b) => b.source!.column - a.source!.column);
  return before[0] ?? here[0];
}

/**
 * Hovers on `tf.layers.*(...)` calls in experiment files and in scripts run with Model Lens: the layer's torchinfo row and, during or
 * after a run, its latest gradient figures with a small trend.
 */
export class LayerHoverProvider implements vscode.HoverProvider {
  constructor(private readonly registry: RunRegistry, private readonly recognizer: ExperimentRecognizer,
    private readonly inspect: (doc: vscode.TextDocument) => Promise<void>) {}

  async provideHover(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    if (!/tf\.layers\.|\.(dense|conv\w*|flatten|lstm|gru)\s*\(/i.test(doc.lineAt(position.line).text)) return undefined;
    // Only experiment files are inspected (run) for a hover; a script's lines show its last run, if any.
    const experiment = this.recognizer.isExperiment(doc);
    let session = this.registry.modelSessionFor(doc.fileName);
    if (!experiment && !session?.state.model) return undefined;
    if (!session?.state.model && vscode.workspace.isTrusted) {
      await this.inspect(doc);
      session = this.registry.modelSessionFor(doc.fileName);
    }
    if (!session?.state.model) return undefined;
    // A script may train several models: the newest one with a layer made on this line.
    const at = (m: ModelMessage) => rowAt(m.summary.layers, doc.fileName, position.line + 1, position.character + 1);
    const model = [session.state.model, ...[...session.state.models].reverse()].find((m) => at(m));
    const row = model && at(model);
    if (!model || !row) return undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${row.type}** \`${row.name}\` — layer ${row.depthIndex}\n\n`);
    md.appendMarkdown('| | |\n|---|---|\n');
    md.appendMarkdown(`| Input → Output | ${row.inputShapes.map(shape).join(', ')} → ${shape(row.outputShape)} |\n`);
    md.appendMarkdown(`| Params | ${row.params === 0 ? '--' : row.recursive ? '(recursive)' : `${row.trainableParams > 0 ? thousands(row.params) : `(${thousands(row.params)})`} (${row.paramPercent.toFixed(2)}%)`} |\n`);
    if (row.kernelShape) md.appendMarkdown(`| Kernel | ${shape(row.kernelShape)} |\n`);
    md.appendMarkdown(`| Mult-adds | ${row.multAdds > 0 ? thousands(row.multAdds) : '--'} (batch ${model.summary.batchSize}) |\n`);
    md.appendMarkdown(`| Trainable | ${row.params === 0 ? '--' : row.trainable === 'partial' ? 'Partial' : row.trainable ? 'True' : 'False'} |\n`);
    const gradients = session.gradientStateOf(model.modelId);
    const { latest, l2History } = layerGradientInfo(gradients, row.name);
    if (latest?.frozen) md.appendMarkdown('\n❄ frozen: no gradient\n');
    else if (latest) {
      md.appendMarkdown(`\nGradient at step ${gradients.gradients.latest?.step}: ‖g‖₂ ${figure(latest.l2)} · mean |g| ${figure(latest.meanAbs)} · ‖Δw‖/‖w‖ ${figure(latest.updateRatio)}`);
      const trend = sparkline(l2History);
      if (trend) md.appendMarkdown(` · trend \`${trend}\``);
      md.appendMarkdown('\n');
    }
    const lastEpoch = session.state.epochs.at(-1);
    if (lastEpoch) md.appendMarkdown(`\nEpoch ${lastEpoch.epoch}: ${epochFiguresText(lastEpoch)}\n`);
    if (session.state.status === 'running') md.appendMarkdown('\n_training…_');
    md.appendMarkdown(`\n\n[Show in graph](command:modelLens.showGraph)`);
    md.isTrusted = { enabledCommands: ['modelLens.showGraph'] };
    const source = row.source!;
    const start = new vscode.Position(source.line - 1, Math.max(0, source.column - 1));
    return new vscode.Hover(md, doc.getWordRangeAtPosition(position) ?? new vscode.Range(start, start));
  }
}

/** "Train · Graph · Summary" above the experiment's default export. */
export class ExperimentCodeLens implements vscode.CodeLensProvider {
  constructor(private readonly recognizer: ExperimentRecognizer) {}

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const line = this.recognizer.exportLine(doc);
    if (line === null) return [];
    const range = new vscode.Range(line, 0, line, 0);
    return [
      new vscode.CodeLens(range, { title: '$(play) Train', command: 'modelLens.train', arguments: [doc.uri] }),
      new vscode.CodeLens(range, { title: 'Graph', command: 'modelLens.showGraph', arguments: [doc.uri] }),
      new vscode.CodeLens(range, { title: 'Summary', command: 'modelLens.showSummary', arguments: [doc.uri] }),
    ];
  }
}
