import * as path from 'node:path';
import * as vscode from 'vscode';
import { makeNonce, panelHtml } from '../panelPage/panelHtml';
import { MessageCoalescer } from '../protocol/messageCoalescer';
import type { TrainerMessage } from '../protocol/messages';
import type { ComparedRun } from '../protocol/runComparison';
import { checkPanelToHost, type HostToPanel } from '../protocol/panelMessages';
import type { RunRegistry } from './runRegistry';
import type { ShownRun } from './recordedRun';
import { readSettings } from './settings';
import { revealLayer } from './revealLayer';
import { timeHostWork } from './responsivenessProbe';

export const PANEL_VIEW_TYPE = 'modelLens.panel';
/** workspaceState: the folder of the last run the panel showed, shown again after a reload. */
export const LAST_RUN_KEY = 'modelLens.lastRunDir';

/**
 * The Model Lens panel: a webview beside the editor that shows the latest run. It gets a snapshot
 * (the batch columns and every other message so far) when it opens or is restored, then live
 * messages at most N times a second.
 */
export class ModelLensPanel implements vscode.Disposable {
  private static current: ModelLensPanel | null = null;
  private session: ShownRun | null = null;
  private outbox: MessageCoalescer<TrainerMessage> | null = null;
  private detach: (() => void) | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private queuedView: HostToPanel | null = null;
  /** Runs overlaid in the Training view, and what "Compare files" does with two of them. */
  private compared: { runs: ComparedRun[]; diff: (a: string, b: string) => void } | null = null;

  static show(context: vscode.ExtensionContext, registry: RunRegistry, session: ShownRun | null, view?: 'graph' | 'summary' | 'training'): ModelLensPanel {
    if (!ModelLensPanel.current) {
      const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Model Lens', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        ModelLensPanel.webviewOptions(context));
      ModelLensPanel.current = new ModelLensPanel(panel, context, registry);
    } else {
      // No column: the panel stays where it is (Beside would move it right of the active editor each time).
      ModelLensPanel.current.panel.reveal(undefined, true);
    }
    const p = ModelLensPanel.current;
    if (session) p.attach(session);
    if (view) p.post({ type: 'showView', view });
    return p;
  }

  /** After a window reload: the latest run of this window, else the last run shown (read back from its folder). */
  static restore(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, registry: RunRegistry, lastRun: () => ShownRun | null): void {
    panel.webview.options = ModelLensPanel.webviewOptions(context);
    ModelLensPanel.current?.dispose();
    ModelLensPanel.current = new ModelLensPanel(panel, context, registry);
    const run = registry.latest ?? lastRun();
    if (run) ModelLensPanel.current.attach(run);
  }

  /** The experiment of the panel when the panel has the focus (null otherwise, or for a model.json). */
  static focusedFile(): string | null {
    const p = ModelLensPanel.current;
    if (!p?.panel.active || !p.session) return null;
    return p.session.file.toLowerCase().endsWith('.json') ? null : p.session.file;
  }

  /** The panel that shows `session`, if one is open. */
  static currentFor(session: ShownRun): ModelLensPanel | null {
    return ModelLensPanel.current?.session === session ? ModelLensPanel.current : null;
  }

  private static webviewOptions(context: vscode.ExtensionContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist'), vscode.Uri.joinPath(context.extensionUri, 'media')],
    };
  }

  private constructor(readonly panel: vscode.WebviewPanel, private readonly context: vscode.ExtensionContext, private readonly registry: RunRegistry) {
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'model-lens.svg');
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m) => void this.onMessage(m)),
      // A hidden webview is torn down (retainContextWhenHidden is off): it asks for a snapshot again.
      panel.onDidChangeViewState(() => { if (!panel.visible) this.ready = false; }),
    );
  }

  private html(): string {
    const webview = this.panel.webview;
    const uri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, ...p)).toString();
    return panelHtml({ cspSource: webview.cspSource, nonce: makeNonce(), script: { src: uri('dist', 'webview.js') }, style: { href: uri('media', 'panel.css') } });
  }

  attach(session: ShownRun): void {
    if (this.session === session) return;
    this.detach?.();
    this.session = session;
    this.compared = null;
    // Stand-in contexts (tests, bench) may have no workspaceState.
    if (session.runDir) void this.context.workspaceState?.update(LAST_RUN_KEY, session.runDir);
    this.panel.title = `Model Lens — ${path.basename(session.file)}`;
    const outbox = new MessageCoalescer<TrainerMessage>((messages) => this.post({ type: 'messages', runId: session.id, messages }),
      1000 / Math.max(1, readSettings().maxUpdatesPerSecond));
    this.outbox = outbox;
    const onMessage = (m: TrainerMessage) => { if (this.ready) outbox.post(m); };
    session.on('message', onMessage);
    this.detach = () => { session.off('message', onMessage); outbox.discard(); };
    if (this.ready) this.sendSnapshot();
  }

  private sendSnapshot(): void {
    if (!this.session) return;
    this.outbox?.discard();
    this.post({ type: 'snapshot', runId: this.session.id, file: this.session.file, ...this.session.snapshot() });
    if (this.compared) this.post({ type: 'compare', runs: this.compared.runs });
  }

  /** Overlays `runs` in the Training view (after the shown run's snapshot); `diff` opens two runs' files side by side. */
  compare(runs: ComparedRun[], diff: (a: string, b: string) => void): void {
    this.compared = { runs, diff };
    if (this.ready) this.post({ type: 'compare', runs });
  }

  private post(message: HostToPanel): void {
    if (!this.ready && message.type === 'showView') { this.queuedView = message; return; }
    timeHostWork(`panel ${message.type}`, () => void this.panel.webview.postMessage(message));
  }

  private async onMessage(raw: unknown): Promise<void> {
    const checked = checkPanelToHost(raw);
    if (!checked.ok) { this.registryLog(`ignored a message from the panel: ${checked.error}`); return; }
    const m = checked.value;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.sendSnapshot();
        if (this.queuedView) { void this.panel.webview.postMessage(this.queuedView); this.queuedView = null; }
        break;
      case 'reveal': {
        // The picked model of a script that trains several may not be the latest: any model's layer of that name.
        const state = this.session?.state;
        const location = [state?.model, ...(state?.models ?? [])].find((model) => model?.callSites[m.layer])?.callSites[m.layer];
        if (location) await revealLayer(location);
        else void vscode.window.showInformationMessage(`Model Lens: no source line is known for layer "${m.layer}".`);
        break;
      }
      case 'warn':
        this.registryLog(`panel: ${m.message}`);
        break;
      case 'saveFile': {
        const target = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(path.dirname(this.session?.file ?? '/')), m.name),
          saveLabel: 'Export',
        });
        if (target) {
          await vscode.workspace.fs.writeFile(target, Buffer.from(m.base64, 'base64'));
          void vscode.window.showInformationMessage(`Model Lens: exported ${path.basename(target.fsPath)}.`);
        }
        break;
      }
      case 'compareFiles':
        this.compared?.diff(m.runs[0], m.runs[1]);
        break;
      case 'stepControl':
        if (!this.session?.control(m.command)) this.registryLog(`step through: no running trainer for ${m.command.type}`);
        break;
      case 'freeze':
        if (this.session) void vscode.commands.executeCommand('modelLens.freezeLayer', this.session.file, m.layer, m.frozen);
        break;
    }
  }

  private registryLog(line: string): void {
    this.registry.log(line);
  }

  dispose(): void {
    if (ModelLensPanel.current === this) ModelLensPanel.current = null;
    this.detach?.();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}
