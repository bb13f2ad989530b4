import * as fs from 'node:fs';
import { constants } from 'node:buffer';
import * as tf from '@tensorflow/tfjs';
import { formatBytes } from './memoryLimits';
import { UserError } from './userError';
import { checkShardSizes, checkWeightsManifest, readExactly, shardFiles, type WeightGroup } from './weightsManifest';

interface ModelJson {
  modelTopology: Record<string, unknown>;
  weightsManifest: WeightGroup[];
  format?: string;
}

/** Line and column of a character offset, for JSON.parse's "at position N" messages. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

export function readModelJson(file: string): ModelJson {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UserError(`${file}: no such file.`, null, 'Check the path to model.json.');
  }
  if (!stat.isFile()) throw new UserError(`${file} is not a regular file (a folder, device or special file).`, null, 'Give the path of a model.json file.');
  if (stat.size > constants.MAX_STRING_LENGTH) {
    throw new UserError(`${file} is ${formatBytes(stat.size)}, too large for a model.json (its weights belong in shard files).`);
  }
  const text = readExactly(file, stat.size).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const pos = /position (\d+)/.exec(String((e as Error).message));
    const where = pos ? lineColumn(text, Number(pos[1])) : { line: 1, column: 1 };
    throw new UserError(`not valid JSON: ${(e as Error).message}`, { file, ...where },
      'A model.json is written by model.save() or tensorflowjs_converter; this file is not one.');
  }
  const obj = json as Partial<ModelJson> | null;
  const topology = obj && typeof obj === 'object' ? obj.modelTopology : undefined;
  if (!topology || typeof topology !== 'object') {
    throw new UserError(`${file} is not a TensorFlow.js model.json: it has no "modelTopology".`, null,
      'Give a LayersModel saved by model.save() or converted with tensorflowjs_converter --output_format tfjs_layers_model.');
  }
  const config = (topology as { model_config?: unknown }).model_config ?? topology;
  const className = (config as { class_name?: unknown }).class_name;
  if (typeof className !== 'string') {
    throw new UserError(`${file} is not a LayersModel model.json: "modelTopology" has no "class_name".`, null,
      'Graph models (tfjs_graph_model) hold ops, not layers; convert the Keras model as a layers model.');
  }
  return { ...(obj as ModelJson), weightsManifest: checkWeightsManifest((obj as { weightsManifest?: unknown }).weightsManifest, file) };
}

function readGroupData(file: string, group: WeightGroup): Uint8Array {
  const shards = shardFiles(file, group);
  checkShardSizes(file, group, shards.map((s) => s.size));
  const total = shards.reduce((n, s) => n + s.size, 0);
  if (total > constants.MAX_LENGTH) {
    throw new UserError(`${file}: the weights of ${group.paths.join(', ')} are ${formatBytes(total)}, more than can be read at once (${formatBytes(constants.MAX_LENGTH)}).`);
  }
  const data = Buffer.concat(shards.map((s) => readExactly(s.path, s.size)));
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A LayersModel from a model.json on disk, with its weights when `withWeights` and they are listed. */
export async function loadModelJson(file: string, withWeights = true): Promise<tf.LayersModel> {
  const json = readModelJson(file);
  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: json.modelTopology } as unknown as tf.io.ModelJSON);
  } catch (e) {
    throw new UserError(`${file}: cannot build the model from its topology: ${(e as Error).message}`);
  }
  const groups = json.weightsManifest;
  if (!withWeights || groups.length === 0) return model;
  const named: tf.NamedTensorMap = {};
  try {
    for (const group of groups) {
      const data = readGroupData(file, group);
      const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
      Object.assign(named, tf.io.decodeWeights(buffer, group.weights as tf.io.WeightsManifestEntry[]));
    }
    const expected = model.weights.map((w) => w.originalName);
    const missing = expected.filter((n) => !(n in named));
    if (missing.length > 0) {
      const extra = Object.keys(named).filter((n) => !expected.includes(n));
      throw new UserError(`${file}: the model has weight "${missing[0]}" but the weights manifest does not` +
        (extra.length ? ` (it has "${extra[0]}" instead).` : '.'), null,
        'The topology and the weights come from different models; save them together with model.save().');
    }
    model.loadWeights(named, true);
  } finally {
    tf.dispose(Object.values(named));
  }
  return model;
}
