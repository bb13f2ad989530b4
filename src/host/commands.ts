import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DoctorQuickFixes } from './doctorQuickFixes';
import { ExperimentDiagnostics } from './experimentDiagnostics';
import { ExperimentRecognizer } from './experimentRecognizer';
import { ExperimentCodeLens, LayerHoverProvider } from './layerHover';
import { LAST_RUN_KEY, ModelLensPanel } from './modelLensPanel';
import { RecordedRun, type ShownRun } from './recordedRun';
import { RunStore } from '../runs/runStore';
import { registerRunsCommands } from './runsCommands';
import { RUNS_VIEW_ID, RunsTreeProvider } from './runsTree';
import { RunRegistry } from './runRegistry';
import type { RunSession } from './runSession';
import type { TrainerMessage } from '../protocol/messages';
import { readSettings } from './settings';
import { showTrainingProgress, TrainingStatusBar } from './trainingFeedback';
import { exportRun } from './runExport';
import { newExperiment, openExample } from './experimentTemplates';
import { freezeInEditor } from './freezeInEditor';
import { sourceTools } from './sourceTools';
import { WalkthroughEvents, type WalkthroughKey } from './walkthroughEvents';
import { codeLensWhenEnabled, EditorContextKeys, hoverWhenEnabled } from './editorFeatures';
import { runScript, ScriptCodeLens } from './scriptRuns';


/** Experiment files are code: Train, Graph and Summary run them only in a trusted workspace. */
function refuseIfUntrusted(action: string): boolean {
  if (vscode.workspace.isTrusted) return false;
  void vscode.window.showWarningMessage(
    `Model Lens: ${action} runs the experiment file's code, so it is disabled in Restricted Mode. ` +
      'Trust this folder (Manage Workspace Trust) to use it.');
  return true;
}

/** The workspace's experiment files, as the parser recognises them (reading, never running, each file). */
async function workspaceExperiments(): Promise<vscode.Uri[]> {
  const found = await vscode.workspace.findFiles('**/*.{ts,js,mjs,cjs}', '{**/node_modules/**,**/.model-lens/**}', 300);
  const experiments: vscode.Uri[] = [];
  for (const f of found) {
    try {
      const text = fs.readFileSync(f.fsPath, 'utf8');
      if (/\bexport\b|\bexports\b/.test(text) && sourceTools().isExperimentSource(text, f.fsPath)) experiments.push(f);
    } catch { /* unreadable: skip */ }
  }
  return experiments;
}

/** The file an explicit command runs: the one given, the active experiment, or the user's pick (any script may be picked). */
async function pickExperiment(context: vscode.ExtensionContext, recognizer: ExperimentRecognizer, uri?: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (uri instanceof vscode.Uri) return uri;
  const active = vscode.window.activeTextEditor?.document;
  if (active && (recognizer.isExperiment(active) || active.fileName.endsWith('model.json'))) return active.uri;
  const experiments = await workspaceExperiments();
  const examples = fs.readdirSync(path.join(context.extensionPath, 'examples')).filter((f) => f.endsWith('.ts'))
    .map((f) => vscode.Uri.file(path.join(context.extensionPath, 'examples', f)));
  const current = active?.uri.scheme === 'file' && /^(typescript|javascript)$/.test(active.languageId) ? [active.uri] : [];
  const items = [
    ...current.map((u) => ({ label: vscode.workspace.asRelativePath(u), description: 'current file (not recognised as an experiment)', uri: u })),
    ...experiments.map((u) => ({ label: vscode.workspace.asRelativePath(u), description: 'workspace', uri: u })),
    ...examples.map((u) => ({ label: path.basename(u.fsPath), description: 'bundled example', uri: u })),
  ];
  const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Which experiment?' });
  return picked?.uri;
}

export function registerCommands(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Model Lens', { log: true });
  const registry = new RunRegistry(context, output);
  const statusBar = new TrainingStatusBar();
  const diagnostics = new ExperimentDiagnostics();
  const recognizer = new ExperimentRecognizer();
  const walkthrough = new WalkthroughEvents();
  /** The walkthrough's steps complete on context keys (package.json: completionEvents onContext). */
  const complete = (keys: WalkthroughKey[]) => { for (const k of keys) void vscode.commands.executeCommand('setContext', k, true); };
  const hovers = new LayerHoverProvider(registry, recognizer, (doc) => inspect(doc.fileName));

  /** The editor's text of `file` when it has unsaved changes: what an inspection reads instead of the disk. */
  const unsavedText = (file: string): string | undefined =>
    vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file && d.isDirty)?.getText();

  /** Graph and summary of a file without training (hovers, Show Model Graph, Problems on save). */
  const inspect = (file: string): Promise<void> => {
    const inspection = registry.inspect(file, unsavedText(file));
    if (inspection.started) diagnostics.watch(inspection.session);
    return inspection.ended;
  };

  async function train(uri?: vscode.Uri): Promise<void> {
    if (refuseIfUntrusted('Train Model')) return;
    // From the palette with the panel focused, the panel's experiment is the one meant.
    const panelFile = uri instanceof vscode.Uri ? null : ModelLensPanel.focusedFile();
    const target = await pickExperiment(context, recognizer, panelFile ? vscode.Uri.file(panelFile) : uri);
    if (!target) return;
    const file = target.fsPath;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
    if (doc?.isDirty) await doc.save();
    const existing = registry.runFor(file);
    if (existing?.running) {
      const answer = await vscode.window.showWarningMessage(`Model Lens: ${path.basename(file)} is already training. Stop that run and start again?`, { modal: true }, 'Stop and Restart');
      if (answer !== 'Stop and Restart') return;
      await new Promise<void>((resolve) => { existing.once('end', () => resolve()); existing.stop(); });
    }
    const settings = readSettings();
    const session = registry.start({ file, backend: settings.backend, threads: settings.threads, gradientEvery: settings.gradientEvery, datasetFolder: settings.datasetFolder });
    diagnostics.watch(session);
    statusBar.follow(session);
    if (settings.progressNotification) showTrainingProgress(session);
    ModelLensPanel.show(context, registry, session, 'graph');
    complete(walkthrough.shown('graph'));
    const onMessage = (m: TrainerMessage) => complete(walkthrough.message(session, file, m));
    session.on('message', onMessage);
    session.once('end', (d) => {
      session.off('message', onMessage);
      if (d.reason === 'error' || d.reason === 'anomaly') {
        const problem = session.state.error?.message ?? session.state.anomaly?.message ?? d.reason;
        void vscode.window.showErrorMessage(`Model Lens: ${path.basename(file)}: ${problem}`, 'Show Output').then((a) => { if (a) output.show(true); });
      }
    });
  }

  async function show(view: 'graph' | 'summary', uri?: vscode.Uri): Promise<void> {
    if (refuseIfUntrusted(view === 'graph' ? 'Show Model Graph' : 'Show Layer Summary')) return;
    // From the palette with the panel focused, the panel's experiment is the one meant (as for Train).
    const panelFile = uri instanceof vscode.Uri ? null : ModelLensPanel.focusedFile();
    const target = await pickExperiment(context, recognizer, panelFile ? vscode.Uri.file(panelFile) : uri);
    if (!target) return;
    const file = target.fsPath;
    let session: RunSession | undefined = registry.modelSessionFor(file);
    if (!session || (!session.running && !session.state.model)) {
      void inspect(file);
      session = registry.modelSessionFor(file);
    }
    ModelLensPanel.show(context, registry, session ?? null, view);
    complete(walkthrough.shown(view));
  }

  // The Runs tree: refreshed when a run of this window starts or ends, and when a run.json changes on disk.
  const runsTree = new RunsTreeProvider();
  const runsWatcher = vscode.workspace.createFileSystemWatcher('**/.model-lens/runs/*/run.json');
  registry.onDidStart((session) => {
    if (!session.runDir) return;
    runsTree.addRunsDir(path.dirname(session.runDir));
    runsTree.refresh();
    session.once('end', () => runsTree.refresh());
  });
  /** After a window reload: the last run the panel showed, read back from its folder. */
  const lastRun = (): ShownRun | null => {
    const dir = context.workspaceState?.get<string>(LAST_RUN_KEY);
    if (!dir || !fs.existsSync(dir)) return null;
    try {
      return new RecordedRun(new RunStore(path.dirname(dir)), dir);
    } catch {
      return null;
    }
  };

  const active = vscode.window.activeTextEditor;
  if (active) complete(walkthrough.opened(active.document.fileName));
  const codeLensProvider = codeLensWhenEnabled(new ExperimentCodeLens(recognizer));
  const scriptLensProvider = codeLensWhenEnabled(new ScriptCodeLens(recognizer));
  context.subscriptions.push(
    output, registry, statusBar, diagnostics, recognizer, new EditorContextKeys(registry, (doc) => recognizer.isExperiment(doc)),
    vscode.commands.registerCommand('modelLens.train', train),
    vscode.commands.registerCommand('modelLens.runScript', (uri?: vscode.Uri) => runScript(context, registry, output, diagnostics, uri)),
    vscode.commands.registerCommand('modelLens.stop', () => {
      const session = registry.stop();
      if (!session) void vscode.window.showInformationMessage('Model Lens: no training is running.');
    }),
    vscode.commands.registerCommand('modelLens.showGraph', (uri?: vscode.Uri) => show('graph', uri)),
    vscode.commands.registerCommand('modelLens.showSummary', (uri?: vscode.Uri) => show('summary', uri)),
    vscode.commands.registerCommand('modelLens.showPanel', () => ModelLensPanel.show(context, registry, registry.latest ?? lastRun())),
    vscode.commands.registerCommand('modelLens.openExample', () => openExample(context)),
    vscode.commands.registerCommand('modelLens.newExperiment', () => newExperiment(context)),
    vscode.commands.registerCommand('modelLens.exportRun', () => exportRun(registry.latest)),
    vscode.commands.registerCommand('modelLens.freezeLayer', async (file: string, layer: string, frozen: boolean) => {
      if (typeof file !== 'string' || typeof layer !== 'string' || typeof frozen !== 'boolean' || refuseIfUntrusted('Freeze')) return;
      if (await freezeInEditor(file, layer, frozen)) {
        // Show the model as the editor's text now defines it (the file stays unsaved: the user saves, or undoes).
        await inspect(file);
        ModelLensPanel.show(context, registry, registry.inspectionFor(file) ?? null);
      }
    }),
    vscode.window.registerWebviewPanelSerializer('modelLens.panel', {
      deserializeWebviewPanel: async (panel) => ModelLensPanel.restore(panel, context, registry, lastRun),
    }),
    runsTree, runsWatcher,
    vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: runsTree, canSelectMany: true, showCollapseAll: true }),
    runsWatcher.onDidCreate(() => runsTree.refresh()), runsWatcher.onDidChange(() => runsTree.refresh()), runsWatcher.onDidDelete(() => runsTree.refresh()),
    ...registerRunsCommands(context, registry, runsTree),
    vscode.languages.registerHoverProvider(['typescript', 'javascript'], hoverWhenEnabled({
      provideHover: async (doc: vscode.TextDocument, position: vscode.Position) => {
        const hover = await hovers.provideHover(doc, position);
        if (hover) complete(walkthrough.hovered());
        return hover;
      },
    })),
    vscode.window.onDidChangeActiveTextEditor((editor) => { if (editor) complete(walkthrough.opened(editor.document.fileName)); }),
    codeLensProvider,
    vscode.languages.registerCodeLensProvider(['typescript', 'javascript'], codeLensProvider),
    scriptLensProvider,
    vscode.languages.registerCodeLensProvider(['typescript', 'javascript'], scriptLensProvider),
    vscode.languages.registerCodeActionsProvider(['typescript', 'javascript'], new DoctorQuickFixes(diagnostics), DoctorQuickFixes.metadata),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      // Re-check on save (Problems, hovers), also while a run of the file goes on: inspection is its own process.
      if (vscode.workspace.isTrusted && readSettings().inspectOnSave && recognizer.isExperiment(doc)) void inspect(doc.fileName);
    }),
  );
}
