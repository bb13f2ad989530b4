// What the Runs tree's rows do: open a run in the panel, compare runs (overlay and table in the
// panel), compare two runs' experiment files (VS Code's diff), train the file again, export the
// TensorBoard event files, delete. Each command takes the clicked row and the tree's selection.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { comparedRun, distinctLabels, type ComparedRun } from '../protocol/runComparison';
import { replayMessages } from '../runs/runReplay';
import type { RunEntry, RunStore } from '../runs/runStore';
import { exportToTensorBoard } from '../runs/tensorboard/tensorboardExport';
import { ModelLensPanel } from './modelLensPanel';
import { RecordedRun, type ShownRun } from './recordedRun';
import type { RunRegistry } from './runRegistry';
import type { RunsNode, RunsTreeProvider } from './runsTree';

interface SelectedRun { store: RunStore; entry: RunEntry }

/** The runs a command acts on: the selection when the clicked row is in it, else the clicked row; a file row stands for its runs. */
export function selectedRuns(clicked: RunsNode | undefined, selection: readonly RunsNode[] | undefined): SelectedRun[] {
  const nodes = clicked && selection?.includes(clicked) ? selection : clicked ? [clicked] : selection ?? [];
  const runs = nodes.flatMap((n) => (n.kind === 'run' ? [{ store: n.store, entry: n.entry }] : n.runs.map((entry) => ({ store: n.store, entry }))));
  return runs.filter((r, i) => runs.findIndex((o) => o.entry.dir === r.entry.dir) === i);
}

/** The run as the panel shows it: the live session while this window trains it, else read back from its folder. */
export function shownRunOf(registry: RunRegistry, run: SelectedRun): ShownRun {
  return registry.sessionForRunDir(run.entry.dir) ?? new RecordedRun(run.store, run.entry.dir);
}

/** Runs side by side for the panel: each run's curves, parameters and results, with labels that tell them apart. */
export function comparedRuns(runs: readonly SelectedRun[]): ComparedRun[] {
  const compared = runs.map(({ store, entry }) => {
    const { messages } = store.read(entry.dir);
    return comparedRun({ runId: entry.id, label: entry.name, file: store.fileOf(entry), status: entry.status }, replayMessages(entry, messages));
  });
  const labels = distinctLabels(runs.map((r, i) => ({ name: r.entry.name, id: r.entry.id, params: compared[i].params })));
  return compared.map((c, i) => ({ ...c, label: labels[i] }));
}

/** VS Code's diff of the experiment file as two runs ran it (the copies in their folders). */
export async function diffRunFiles(a: SelectedRun, b: SelectedRun): Promise<void> {
  const copy = (r: SelectedRun) => (r.entry.copy ? path.join(r.entry.dir, r.entry.copy) : null);
  const [left, right] = [copy(a), copy(b)];
  if (!left || !right || !fs.existsSync(left) || !fs.existsSync(right)) {
    void vscode.window.showInformationMessage('Model Lens: one of these runs has no copy of its experiment file.');
    return;
  }
  await vscode.commands.executeCommand('vscode.diff', vscode.Uri.file(left), vscode.Uri.file(right),
    `${path.basename(left)} (${a.entry.id} ↔ ${b.entry.id})`);
}

export function registerRunsCommands(context: vscode.ExtensionContext, registry: RunRegistry, tree: RunsTreeProvider): vscode.Disposable[] {
  const command = (id: string, run: (runs: SelectedRun[]) => unknown) =>
    vscode.commands.registerCommand(id, async (clicked?: RunsNode, selection?: RunsNode[]) => {
      try {
        await run(selectedRuns(clicked, selection));
      } catch (e) {
        void vscode.window.showErrorMessage(`Model Lens: ${(e as Error).message}`);
      }
    });
  return [
    vscode.commands.registerCommand('modelLens.runs.refresh', () => tree.refresh()),
    command('modelLens.runs.open', ([run]) => {
      if (run) ModelLensPanel.show(context, registry, shownRunOf(registry, run), 'training');
    }),
    command('modelLens.runs.compare', (runs) => {
      if (runs.length < 2) {
        void vscode.window.showInformationMessage('Model Lens: select two runs or more to compare (Ctrl/Cmd-click), or compare a file\'s runs from its row.');
        return;
      }
      const panel = ModelLensPanel.show(context, registry, shownRunOf(registry, runs[0]), 'training');
      panel.compare(comparedRuns(runs), (a, b) => {
        const [ra, rb] = [a, b].map((id) => runs.find((r) => r.entry.id === id));
        if (ra && rb) void diffRunFiles(ra, rb);
      });
    }),
    command('modelLens.runs.compareFiles', async (runs) => {
      if (runs.length !== 2) {
        void vscode.window.showInformationMessage('Model Lens: select exactly two runs to compare their experiment files.');
        return;
      }
      await diffRunFiles(runs[0], runs[1]);
    }),
    command('modelLens.runs.rerun', async ([run]) => {
      if (run) await vscode.commands.executeCommand('modelLens.train', vscode.Uri.file(run.store.fileOf(run.entry)));
    }),
    command('modelLens.runs.exportTensorBoard', async (runs) => {
      if (runs.length === 0) return;
      const folder = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Export Here',
        title: 'TensorBoard log folder (each run goes in a folder of its own)', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
      if (!folder?.[0]) return;
      for (const r of runs) exportToTensorBoard(r.entry, folder[0].fsPath);
      void vscode.window.showInformationMessage(`Model Lens: exported ${runs.length} run(s) to ${folder[0].fsPath}: \`tensorboard --logdir ${folder[0].fsPath}\` shows them.`);
    }),
    command('modelLens.runs.delete', async (runs) => {
      if (runs.length === 0) return;
      const what = runs.length === 1 ? `the run ${runs[0].entry.id}` : `${runs.length} runs`;
      const answer = await vscode.window.showWarningMessage(`Model Lens: delete ${what} and its files?`, { modal: true }, 'Delete');
      if (answer !== 'Delete') return;
      for (const r of runs) r.store.remove(r.entry.dir);
      tree.refresh();
    }),
  ];
}
