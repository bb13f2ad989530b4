// `model-lens check FILE`: the model doctor before training, without training — the model's output
// against its loss and the data's scale against `normalize` — as compiler-style lines or (--json)
// one object. Exit code 1 when a finding would stop a run.
import * as path from 'node:path';
import { loadDataset } from '../data/dataset';
import { loadModelFile } from '../model/loadExperiment';
import { locateSettingInFile } from '../model/settingLocation';
import { initInspectionRuntime } from '../model/tfRuntime';
import type { DiagnosisMessage } from '../protocol/doctorMessages';
import { diagnoseInputs, scaledData } from '../trainer/inputScale';
import { diagnoseOutput } from '../trainer/modelDoctor';
import type { CliArgs } from './cliArgs';

/** Enough training samples to measure the inputs' scale. */
const CHECK_SAMPLES = 5000;

export async function checkCommand(args: CliArgs): Promise<number> {
  await initInspectionRuntime();
  const loaded = await loadModelFile(args.target);
  const { settings } = loaded;
  const diagnoses = diagnoseOutput(loaded, settings.training?.loss);
  const scaled = scaledData(settings.data);
  if (scaled) {
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

/** `file:line:col: error: message [code]` and a line per fix, as compilers print them; then a count. */
export function formatDiagnoses(diagnoses: DiagnosisMessage[], file: string): string {
  if (diagnoses.length === 0) return `${file}: no problems found (the output against the loss, the inputs against normalize).`;
  const lines: string[] = [];
  for (const d of diagnoses) {
    const at = d.source ? `${d.source.file}:${d.source.line}:${d.source.column}` : file;
    lines.push(`${at}: ${d.severity}: ${d.message} [${d.code}]`);
    d.fixes.forEach((f, i) => lines.push(d.fixes.length > 1 ? `  fix ${i + 1}: ${f.title}` : `  fix: ${f.title}`));
  }
  const errors = diagnoses.filter((d) => d.severity === 'error').length;
  const warnings = diagnoses.length - errors;
  lines.push(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`);
  return lines.join('\n');
}
