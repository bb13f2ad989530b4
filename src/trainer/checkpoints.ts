// training.checkpoint: model.json + weights.bin in the run's folder after every epoch
// (`checkpoints/last`) and, with keepBest, at the best epoch so far (`checkpoints/best`), each with
// checkpoint.json saying which epoch and figures it holds. Loadable with loadModel(). A checkpoint
// is written beside its place and renamed over it, so a run killed mid-write keeps the previous one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { saveModelFiles } from '../model/saveModelFiles';
import type { CheckpointSpec, MonitorName } from '../protocol/experimentSpec';
import type { EpochEndMessage } from '../protocol/messages';
import { BestValue, inferMode, monitoredValue } from './epochMonitor';
import type { Emit } from './runMessages';

export const CHECKPOINTS_DIR = 'checkpoints';

export class Checkpoints {
  private readonly best: { monitor: MonitorName; value: BestValue } | null;

  constructor(private readonly dir: string, spec: CheckpointSpec) {
    this.best = spec.keepBest ? { monitor: spec.keepBest, value: new BestValue(inferMode(spec.keepBest, spec.mode)) } : null;
  }

  /** The checkpoints folder of a run folder. */
  static in(runDir: string, spec: CheckpointSpec): Checkpoints {
    return new Checkpoints(path.join(runDir, CHECKPOINTS_DIR), spec);
  }

  async afterEpoch(model: tf.LayersModel, m: EpochEndMessage, emit: Emit): Promise<void> {
    const figures = { epoch: m.epoch, train: m.metrics, ...(m.val ? { val: m.val } : {}), ...(m.test ? { test: m.test } : {}) };
    await this.write('last', model, figures);
    if (!this.best) return;
    const value = monitoredValue(this.best.monitor, m);
    if (!this.best.value.offer(value, m.epoch)) return;
    await this.write('best', model, { ...figures, monitor: this.best.monitor, mode: this.best.value.mode, value });
    emit({ type: 'log', level: 'info', message: `checkpoint: epoch ${m.epoch} is the best so far by ${this.best.monitor} (${value}), saved to ${path.join(this.dir, 'best')}` });
  }

  private async write(name: string, model: tf.LayersModel, info: Record<string, unknown>): Promise<void> {
    const target = path.join(this.dir, name);
    const temporary = path.join(this.dir, `.${name}.${process.pid}.tmp`);
    fs.rmSync(temporary, { recursive: true, force: true });
    await saveModelFiles(model, temporary);
    fs.writeFileSync(path.join(temporary, 'checkpoint.json'), `${JSON.stringify(info, null, 1)}\n`);
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(temporary, target);
  }
}
