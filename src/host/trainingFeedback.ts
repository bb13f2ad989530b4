import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TrainerMessage } from '../protocol/messages';
import { metricsText } from '../protocol/metricNames';
import { metricsAt } from '../protocol/runState';
import type { RunSession } from './runSession';

/** The status bar item: the latest run's last batch figures (which is said: "batch"); a click opens the panel. */
export class TrainingStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('modelLens.status', vscode.StatusBarAlignment.Left, 50);
  private lastUpdate = 0;

  constructor() {
    this.item.name = 'Model Lens';
    this.item.command = 'modelLens.showPanel';
  }

  follow(session: RunSession): void {
    this.item.text = `$(loading~spin) Model Lens: starting ${path.basename(session.file)}`;
    this.item.tooltip = `Training ${session.file}`;
    this.item.show();
    const onMessage = (m: TrainerMessage) => {
      const now = Date.now();
      if (m.type === 'batch' && now - this.lastUpdate > 250) {
        this.lastUpdate = now;
        this.item.text = `$(pulse) batch ${metricsText(m.metrics)}`;
        this.item.tooltip = `Model Lens — ${path.basename(session.file)}: epoch ${m.epoch}, step ${m.step}. Click to open the panel.`;
      }
      if (m.type === 'done') {
        const s = session.state;
        const lastEpoch = s.epochs.at(-1);
        const icon = m.reason === 'completed' ? '$(check)' : m.reason === 'stopped' ? '$(debug-stop)' : m.reason === 'inspected' ? '$(type-hierarchy)' : '$(error)';
        const n = s.batches.step.length;
        const figures = lastEpoch ? ` · epoch mean ${metricsText(lastEpoch.metrics)}` : n ? ` · batch ${metricsText(metricsAt(s.batches, n - 1))}` : '';
        const test = s.evaluation ? ` · test ${metricsText(s.evaluation.test)}` : '';
        this.item.text = `${icon} ${m.reason}${figures}${test}`;
        session.off('message', onMessage);
      }
    };
    session.on('message', onMessage);
  }

  dispose(): void {
    this.item.dispose();
  }
}

/** A notification with tqdm-like text (epoch x/y, batch, loss, it/s) and Cancel, which stops the run. */
export function showTrainingProgress(session: RunSession): void {
  void vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Model Lens: training ${path.basename(session.file)}`, cancellable: true },
    (progress, token) => new Promise<void>((resolve) => {
      token.onCancellationRequested(() => session.stop());
      let lastFraction = 0;
      let lastReport = 0;
      const onMessage = (m: TrainerMessage) => {
        const plan = session.state.model?.plan;
        if (m.type === 'batch' && plan && Date.now() - lastReport > 200) {
          lastReport = Date.now();
          const fraction = m.step / Math.max(1, plan.totalSteps);
          const itPerSec = m.samplesPerSec / plan.batchSize;
          progress.report({
            increment: 100 * (fraction - lastFraction),
            message: `epoch ${m.epoch}/${plan.epochs} · batch ${m.batch}/${plan.stepsPerEpoch} · batch ${metricsText(m.metrics)} · ${itPerSec.toFixed(1)} it/s`,
          });
          lastFraction = fraction;
        }
        if (m.type === 'done') {
          session.off('message', onMessage);
          resolve();
        }
      };
      session.on('message', onMessage);
      if (!session.running) resolve();
    }),
  );
}
