// Export Run's summary.md: torchinfo's table as Markdown, its rows and totals as the CLI prints them
// ("(recursive)" for a layer called again, the totals with torchinfo's units). No vscode.
import type { RunState } from '../protocol/runState';
import { fixed, totalsLines } from '../protocol/summaryNumbers';

/** The torchinfo table as Markdown. */
export function summaryMarkdown(state: Pick<RunState, 'model'>): string {
  const s = state.model?.summary;
  if (!s) return '';
  const shape = (x: unknown) => JSON.stringify(x).replace(/null/g, 'B');
  const lines = [
    `# ${state.model!.name} — layer summary (batch ${s.batchSize})`, '',
    '| Layer (type (var_name):depth-idx) | Input Shape | Output Shape | Param # | Param % | Kernel Shape | Mult-Adds | Trainable |',
    '|---|---|---|---:|---:|---|---:|---|',
    ...s.layers.map((r) => `| ${'&nbsp;&nbsp;'.repeat(r.depth)}${r.type} (${r.name})${r.depthIndex ? `: ${r.depthIndex}` : ''} | ${r.inputShapes.map(shape).join(', ')} | ${shape(r.outputShape)} | ${r.recursive ? '(recursive)' : r.params.toLocaleString('en-US')} | ${r.recursive ? '(recursive)' : `${fixed(r.paramPercent, 2)}%`} | ${r.kernelShape ? shape(r.kernelShape) : '--'} | ${r.multAdds.toLocaleString('en-US')} | ${r.trainable} |`),
    '', ...totalsLines(s.totals).map((t) => `${t.label}${t.unit}: ${t.text}  `), '',
  ];
  return lines.join('\n');
}

