// `data: { dataset: 'csv', file, label, features?, categorical?, missing?, testSplit?, delimiter? }`
// as a DataSource: the first pass (csvScan) runs now, the batches stream from the file every epoch.
import * as path from 'node:path';
import { UserError } from '../model/userError';
import type { DataSource, TaskKind } from './dataSource';
import { scanCsv, type CsvScanOptions } from './csvScan';
import type { MissingPolicy } from './csvPlan';
import { scanCsvInWorker } from './prefetchWorker';
import { streamedSource, workerScript, type StreamOptions } from './streamedSource';

export interface CsvDataSpec {
  dataset: 'csv';
  /** Relative to the experiment file. */
  file: string;
  label: string;
  features?: string[];
  categorical?: string[] | 'auto';
  missing?: MissingPolicy;
  testSplit?: number;
  delimiter?: string;
}

export interface OpenContext {
  /** Relative paths are resolved against this (the experiment file's folder). */
  baseDir: string;
  seed: number;
  /** From the loss: cross-entropy reads classes, MSE/MAE numbers. */
  task: TaskKind;
  limit?: number;
  testLimit?: number;
}

export async function openCsvSource(spec: CsvDataSpec, context: OpenContext, options: StreamOptions & { shuffleBufferRows?: number } = {}): Promise<DataSource> {
  checkCsvSpec(spec);
  const file = path.resolve(context.baseDir, spec.file);
  const scanOptions: CsvScanOptions = {
    file, label: spec.label, features: spec.features, categorical: spec.categorical, missing: spec.missing,
    testSplit: spec.testSplit, delimiter: spec.delimiter, task: context.task, seed: context.seed,
    limit: context.limit, testLimit: context.testLimit, shuffleBufferRows: options.shuffleBufferRows,
  };
  const script = workerScript(options);
  const { plan, notes } = script ? await scanCsvInWorker(scanOptions, script) : await scanCsv(scanOptions);
  return streamedSource(plan, {
    name: 'csv', source: file, inputShape: [plan.width], task: plan.task, trainCount: plan.trainCount, testCount: plan.testCount,
    featureNames: plan.featureNames, notes,
  }, options);
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function checkCsvSpec(spec: CsvDataSpec): void {
  const bad = (field: string, what: string, hint: string | null = null) => {
    throw new UserError(`data.${field} must be ${what}, got ${JSON.stringify((spec as unknown as Record<string, unknown>)[field])}`, null, hint);
  };
  if (typeof spec.file !== 'string' || spec.file === '') bad('file', 'the path of a CSV file (relative to the experiment file)');
  if (typeof spec.label !== 'string' || spec.label === '') bad('label', 'the name of the column to predict');
  if (spec.features !== undefined && (!isStringList(spec.features) || spec.features.length === 0)) bad('features', 'a non-empty list of column names');
  if (spec.categorical !== undefined && spec.categorical !== 'auto' && !isStringList(spec.categorical)) bad('categorical', "a list of column names or 'auto'");
  if (spec.missing !== undefined && !['drop', 'error', 'mean'].includes(spec.missing)) bad('missing', "'drop', 'error' or 'mean'");
  if (spec.testSplit !== undefined && !(typeof spec.testSplit === 'number' && spec.testSplit >= 0 && spec.testSplit < 1)) {
    bad('testSplit', 'a fraction from 0 to below 1', 'For example testSplit: 0.2 keeps a fifth of the rows for testing.');
  }
  if (spec.delimiter !== undefined && !(typeof spec.delimiter === 'string' && spec.delimiter.length === 1 && !'"\r\n'.includes(spec.delimiter))) {
    bad('delimiter', "one character such as ',' ';' or '\\t'");
  }
}
