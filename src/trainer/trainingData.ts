// The experiment's data as one DataSource: a bundled set, a CSV table, an image folder, or what the
// experiment's own `data()` returns. The task follows the loss: MSE/MAE read a table's or arrays'
// labels as numbers, the cross-entropies as classes (the bundled sets are classes whatever the loss).
import * as path from 'node:path';
import { openCsvSource } from '../data/csvSource';
import { loadDataset } from '../data/dataset';
import type { DataSource, TaskKind } from '../data/dataSource';
import { openImageFolderSource } from '../data/imageFolderSource';
import { loadedDatasetSource } from '../data/memorySource';
import type { LoadedModel } from '../model/loadExperiment';
import { locateSettingInFile } from '../model/settingLocation';
import { UserError } from '../model/userError';
import type { SourceLocation } from '../protocol/modelInfo';
import type { CsvDataSpec, ImagesDataSpec, LooseDataSpec } from '../protocol/experimentSpec';
import type { TrainRequest } from '../protocol/messages';
import { codeDataSource } from './codeData';
import type { LossDefinition } from './losses';

/** The data sets read from files as they train (the others are loaded whole by loadDataset). */
export const STREAMED_DATASETS = ['csv', 'images'] as const;

export interface DataContext {
  seed: number;
  loss: LossDefinition;
  /** The model's output units (names a tf.data set's classes). */
  outputs: number;
  batchSize: number;
  /** The rank of one sample as the model reads it. */
  sampleRank: number;
  /** Announces the user's data() running (and done, null), so the parent times it as a build step. */
  announce?: (running: 'data' | null, location: SourceLocation | null) => Promise<void>;
  /** Says what is going on before a wait (the user's data() may take long). */
  progress?: (message: string) => void;
}

/** Opens the data the experiment names; its UserErrors point at `data` (or the `data.x` they name). */
export async function openTrainingData(request: TrainRequest, loaded: LoadedModel, context: DataContext): Promise<DataSource> {
  const { settings } = loaded;
  if (!settings.data) {
    throw new UserError(`${request.file} has no data to train on.`, loaded.locate(loaded.model),
      "Add `data: { dataset: 'mnist' }` (or fashion-mnist, idx, csv, images, circle, xor, gauss, spiral, or a function) to the experiment.");
  }
  const task: TaskKind = context.loss.regression ? 'regression' : 'classification';
  const baseDir = path.dirname(loaded.file);
  const limits = { limit: request.limit, testLimit: request.testLimit ?? request.limit };
  try {
    if (typeof settings.data === 'function') {
      // data() is the user's code: timed by the parent as model() is (a loop in it blocks this process).
      const location = locateSettingInFile(loaded.file, ['data'], request.sourceText);
      const timed = async <T>(work: () => Promise<T>): Promise<T> => {
        await context.announce?.('data', location);
        try {
          return await work();
        } finally {
          await context.announce?.(null, null);
        }
      };
      context.progress?.('data: waiting for data() to return');
      return await codeDataSource(settings.data, {
        task, seed: context.seed, outputs: context.outputs, batchSize: context.batchSize, sampleRank: context.sampleRank, stepsPerEpoch: settings.training?.stepsPerEpoch,
        ...limits, timed,
      });
    }
    const spec: LooseDataSpec = { ...settings.data };
    const kind = spec.dataset.trim().toLowerCase();
    if (kind === 'csv') {
      return await openCsvSource(spec as unknown as CsvDataSpec, { baseDir, seed: context.seed, task, ...pick(spec, limits) });
    }
    if (request.datasetFolder && !spec.folder && kind !== 'mnist') spec.folder = request.datasetFolder;
    if (kind === 'images') {
      return await openImageFolderSource(spec as unknown as ImagesDataSpec, { baseDir, seed: context.seed, ...pick(spec, limits) });
    }
    return loadedDatasetSource(loadDataset(spec, { baseDir, seed: context.seed, ...limits }), context.seed);
  } catch (e) {
    throw placedAtData(e);
  }
}

/** The request's limits (command-line flags) over the experiment's. */
function pick(spec: LooseDataSpec, limits: { limit?: number; testLimit?: number }): { limit?: number; testLimit?: number } {
  const number = (v: unknown) => (typeof v === 'number' ? v : undefined);
  return { limit: limits.limit ?? number(spec.limit), testLimit: limits.testLimit ?? number(spec.testLimit) };
}

/** A data error with no place yet: at the `data.<key>` its message names, else at `data`. */
function placedAtData(e: unknown): unknown {
  if (!(e instanceof UserError) || e.location || e.setting) return e;
  const key = /^data\.(\w+)/.exec(e.message)?.[1];
  return UserError.atSetting(key ? ['data', key] : ['data'], e.message, e.hint);
}
