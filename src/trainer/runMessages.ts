// What every run announces first (`ready`, `model`), and the clock of its `elapsedSec` figures.
import * as tf from '@tensorflow/tfjs';
import type { LoadedModel } from '../model/loadExperiment';
import { buildModelGraph, type GraphOptions } from '../model/modelGraph';
import { computeSummary } from '../model/modelSummary';
import type { DatasetInfo, ModelMessage, ReadyMessage, TrainerMessage, TrainingPlan } from '../protocol/messages';
import type { ModelSummary, SourceLocation } from '../protocol/modelInfo';
import { modelLensVersion } from '../version';
import type { BackendChoice } from './backendChoice';

export type Emit = (message: TrainerMessage) => void;

/** Seconds on a monotonic clock. */
export const now = () => performance.now() / 1000;

export function readyMessage(choice: BackendChoice): ReadyMessage {
  return {
    type: 'ready', backend: choice.backend, reason: choice.reason,
    versions: { tfjs: tf.version.tfjs, node: process.versions.node, modelLens: modelLensVersion },
  };
}

/** Graph, summary (at the plan's batch size) and call sites of the loaded model, with its data and plan (an experiment's; a script has neither). */
export function modelMessage(loaded: LoadedModel, dataset: DatasetInfo | undefined, plan: TrainingPlan | undefined,
  summary: ModelSummary = computeSummary(loaded.model, { batchSize: plan?.batchSize ?? 1, rowDepth: Infinity, locate: loaded.locate, stackOf: loaded.stackOf }),
  graphOptions: Omit<GraphOptions, 'locate'> = {}): ModelMessage {
  const { model, settings } = loaded;
  const graph = buildModelGraph(model, { ...graphOptions, locate: loaded.locate, stackOf: loaded.stackOf });
  const callSites: Record<string, SourceLocation> = {};
  for (const n of graph.nodes) if (n.source) callSites[n.name] = n.source;
  return { type: 'model', name: settings.name ?? model.name, file: loaded.file, graph, summary, callSites, ...(dataset ? { dataset } : {}), ...(plan ? { plan } : {}) };
}
