// The model doctor's findings as compilers print theirs, for `check` on experiments and scripts.
import type { DiagnosisMessage } from '../protocol/doctorMessages';

/** `file:line:col: error: message [code]` and a line per fix, as compilers print them; then a count. */
export function formatDiagnoses(diagnoses: DiagnosisMessage[], file: string, checked = 'the output against the loss, the inputs against normalize'): string {
  if (diagnoses.length === 0) return `${file}: no problems found (${checked}).`;
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
