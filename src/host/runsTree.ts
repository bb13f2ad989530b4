// The Runs tree of the Model Lens view: one row per experiment file, its runs under it (status, key
// figures, duration, start time). The first level reads only the runs' headers (run.json); it is
// refreshed when a run starts or ends in this window and when a run.json changes on disk.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runsDirFromFolder } from '../runs/projectRoot';
import { fileRowText, runFileGroups, runRowText, type RunFileGroup } from '../runs/runTree';
import { RunStore, type RunEntry } from '../runs/runStore';

export type RunsNode =
  | { kind: 'file'; store: RunStore; group: RunFileGroup; runs: RunEntry[] }
  | { kind: 'run'; store: RunStore; entry: RunEntry };

export const RUNS_VIEW_ID = 'modelLens.runs';

const STATUS_ICONS: Record<RunEntry['status'], [string, string | undefined]> = {
  completed: ['pass', 'testing.iconPassed'],
  stopped: ['debug-stop', undefined],
  error: ['error', 'testing.iconFailed'],
  interrupted: ['warning', 'list.warningForeground'],
  running: ['sync~spin', undefined],
};

/** The first level of the tree from the runs folders' headers: one node per file, newest first. */
export function fileNodes(stores: readonly RunStore[]): RunsNode[] {
  const nodes: Extract<RunsNode, { kind: 'file' }>[] = [];
  for (const store of stores) {
    const entries = store.list();
    const byFile = new Map<string, RunEntry[]>();
    for (const e of entries) {
      const runs = byFile.get(e.file);
      if (runs) runs.push(e); else byFile.set(e.file, [e]);
    }
    for (const group of runFileGroups(entries)) nodes.push({ kind: 'file', store, group, runs: (byFile.get(group.file) ?? []).reverse() });
  }
  return nodes.sort((a, b) => (a.group.latest.started < b.group.latest.started ? 1 : -1));
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly dirs = new Set<string>();
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private timer: NodeJS.Timeout | null = null;

  constructor() {
    for (const folder of vscode.workspace.workspaceFolders ?? []) this.dirs.add(runsDirFromFolder(folder.uri.fsPath));
  }

  /** The runs folders listed (the workspace's, and any a run of this window was kept in). */
  get stores(): RunStore[] {
    return [...this.dirs].map((d) => new RunStore(d));
  }

  /** Lists a runs folder too (a run kept outside the workspace folders' projects). */
  addRunsDir(dir: string): void {
    if (this.dirs.has(dir)) return;
    this.dirs.add(dir);
    this.refresh();
  }

  /** Redraws soon: several changes at once (a run's header and its folder) make one refresh. */
  refresh(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = null; this.changed.fire(undefined); }, 200);
  }

  getChildren(node?: RunsNode): RunsNode[] {
    if (!node) return fileNodes(this.stores);
    if (node.kind === 'file') return node.runs.map((entry) => ({ kind: 'run', store: node.store, entry }));
    return [];
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if (node.kind === 'file') {
      const text = fileRowText(node.group);
      const item = new vscode.TreeItem(text.label, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `file:${node.store.dir}:${node.group.file}`;
      item.description = text.description;
      item.tooltip = text.tooltip;
      // Rows of several files may share a name: a screen reader hears which file a row is.
      item.accessibilityInformation = { label: `${path.basename(node.group.file)}: ${text.label}, ${text.description}` };
      item.resourceUri = vscode.Uri.file(node.store.fileOf(node.group.latest));
      item.iconPath = vscode.ThemeIcon.File;
      item.contextValue = 'modelLens.runFile';
      return item;
    }
    const e = node.entry;
    const text = runRowText(e);
    const item = new vscode.TreeItem(text.label, vscode.TreeItemCollapsibleState.None);
    item.id = `run:${e.dir}`;
    item.description = text.description;
    item.tooltip = text.tooltip;
    const [icon, colour] = STATUS_ICONS[e.status];
    item.iconPath = new vscode.ThemeIcon(icon, colour ? new vscode.ThemeColor(colour) : undefined);
    item.contextValue = `modelLens.run.${e.status}`;
    item.command = { command: 'modelLens.runs.open', title: 'Open Run', arguments: [node] };
    item.accessibilityInformation = { label: `${path.basename(e.file)} run ${text.label}: ${text.description}` };
    return item;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.changed.dispose();
  }
}
