import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserError } from './userError';

/** statfs types of the kernel's own file systems, where nothing can be saved. */
const SYSTEM_FILE_SYSTEMS: Record<number, string> = { 0x9fa0: 'proc', 0x62656572: 'sysfs' };
const PROBE = '.model-lens-write-test';
const FOLDER_HINT = 'Give a folder for model.json and weights.bin (it is made if missing).';

/**
 * Checks, before training, that `dir` can take model.json and weights.bin: every existing part of
 * the path a folder, not in /proc, /sys or among /dev's devices, and writable (a probe file is
 * written and removed; folders made for it are removed again). `option` names the setting in messages.
 */
export function checkSaveFolder(dir: string, option: string): void {
  const fail = (problem: string, hint = FOLDER_HINT) => new UserError(`${option} ${dir}: ${problem}`, null, hint);
  const abs = path.resolve(dir);
  const existing = nearestExisting(abs);
  const stat = fs.statSync(existing);
  if (!stat.isDirectory()) {
    const what = stat.isFile() ? 'a file' : 'a device or special file';
    throw fail(existing === abs ? `it is ${what}, not a folder.` : `${existing} is ${what}, so no folder can be made inside it.`);
  }
  const system = systemFileSystem(existing);
  if (system || (/^\/dev(\/|$)/.test(abs) && !/^\/dev\/shm(\/|$)/.test(abs))) {
    throw fail(`it is in ${system ? `a ${system} file system` : '/dev'}, the system's own files, where nothing can be saved.`,
      'Save into a folder of your own, e.g. ./trained-model.');
  }
  const made = makeFolder(abs, fail);
  try {
    fs.writeFileSync(path.join(abs, PROBE), '');
    fs.rmSync(path.join(abs, PROBE));
  } catch (e) {
    throw fail(`cannot write there (${describeFailure(e)}).`, 'Choose a folder you can write to.');
  } finally {
    removeFolders(made);
  }
}

/** Writes `model` in tfjs's file format (model.json + weights.bin) into `dir`, without tfjs-node. */
export async function saveModelFiles(model: tf.LayersModel, dir: string): Promise<string> {
  await model.save(modelFilesHandler(dir));
  return path.join(dir, 'model.json');
}

/**
 * A save handler that writes model.json + weights.bin into `dir` (made if missing): what tfjs-node's
 * `file://` handler writes, for scripts that run without tfjs-node.
 */
export function modelFilesHandler(dir: string): tf.io.IOHandler {
  return tf.io.withSaveHandler(async (artifacts) => {
    makeFolder(dir, (problem) => new UserError(`cannot save the model to ${dir}: ${problem}`));
    const data = artifacts.weightData;
    const buffers = Array.isArray(data) ? data : data ? [data] : [];
    fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.concat(buffers.map((b) => Buffer.from(b))));
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
      convertedBy: 'Model Lens',
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  });
}

function nearestExisting(abs: string): string {
  let at = abs;
  while (!fs.existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  return at;
}

function systemFileSystem(folder: string): string | null {
  try {
    return SYSTEM_FILE_SYSTEMS[fs.statfsSync(folder).type] ?? null;
  } catch {
    return null; // statfs is not available everywhere; the write probe still decides
  }
}

/**
 * Makes `abs` one folder at a time (mkdirSync's recursive mode can spin forever on /proc) and returns
 * the folders it made, outermost first.
 */
function makeFolder(abs: string, fail: (problem: string) => UserError): string[] {
  const missing: string[] = [];
  for (let at = path.resolve(abs); !fs.existsSync(at); at = path.dirname(at)) missing.unshift(at);
  const made: string[] = [];
  try {
    for (const folder of missing) {
      fs.mkdirSync(folder);
      made.push(folder);
    }
  } catch (e) {
    removeFolders(made);
    throw fail(`cannot make the folder (${describeFailure(e)}).`);
  }
  return made;
}

/** Removes the (empty) folders `made`, innermost first. */
function removeFolders(made: string[]): void {
  for (const folder of [...made].reverse()) {
    try {
      fs.rmdirSync(folder);
    } catch {
      // left behind: it is empty, and the message says what went wrong
    }
  }
}

function describeFailure(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const known: Record<string, string> = {
    EACCES: 'permission denied', EPERM: 'not permitted', EROFS: 'a read-only file system', ENOSPC: 'the disk is full',
    ENOTDIR: 'a part of the path is a file', ENOENT: 'the system does not allow it there',
  };
  return (err.code && known[err.code]) ?? err.message ?? String(e);
}
