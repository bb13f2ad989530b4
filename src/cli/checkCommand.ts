// `model-lens check FILE`: the model doctor before training, without training — the model's output
// against its loss and the data's scale against `normalize` — as compiler-style lines or (--json)
// one object. Exit code 1 when a finding would stop a run. A script is checked by checkScript.ts.
import * as path from 'node:path';
import { loadDataset } from '../data/dataset';
import { loadModelFile } from '../model/loadExperiment';
import { locateSettingInFile } from '../model/settingLocation';
import { initInspectionRuntime } from '../model/tfRuntime';
import { diagnoseInputs, scaledData } from '../trainer/inputScale';
import { diagnoseOutput, inputReadAsIndices } from '../trainer/modelDoctor';
import type { CliArgs } from './cliArgs';
import { checkScript, isScriptFile } from './checkScript';
import { formatDiagnoses } from './diagnosisLines';

/** Enough training samples to measure the inputs' scale. */
const CHECK_SAMPLES = 5000;

export async function checkCommand(args: CliArgs): Promise<number> {
  if (isScriptFile(path.resolve(args.target))) return checkScript(args);
  await initInspectionRuntime();
  const loaded = await loadModelFile(args.target);
  const { settings } = loaded;
  const diagnoses = diagnoseOutput(loaded, settings.training?.loss);
  const scaled = scaledData(settings.data);
  if (scaled && !inputReadAsIndices(loaded.model)) {
    const data = loadDataset(scaled, { baseDir: path.dirname(loaded.file), seed: settings.training?.seed ?? 0, limit: args.limit ?? CHECK_SAMPLES, testLimit: 1 });
    const where = locateSettingInFile(loaded.file, scaled.normalize ? ['data', 'normalize'] : ['data']);
    const inputs = diagnoseInputs(data.train.inputs, { kind: 'normalize', normalize: scaled.normalize }, where);
    if (inputs) diagnoses.push(inputs);
  }
  const errors = diagnoses.filter((d) => d.severity === 'error').length;
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ file: loaded.file, errors, warnings: diagnoses.length - errors, diagnoses }, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatDiagnoses(diagnoses, loaded.file)}\n`);
  }
  return errors > 0 ? 1 : 0;
}
