import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DiagnosisMessage } from '../../src/protocol/messages';
import { editForFix } from '../../src/source/doctorEdit';
import { fixture, example, lineOf } from '../helpers/fixtures';
import { runCli } from '../helpers/runCli';

const LOGITS = fixture('doctor/logits-mlp.ts');

describe('model-lens check: the model doctor before training', () => {
  it('reports logits into categoricalCrossentropy at the last dense layer\'s line with both fixes, and exits 1', () => {
    const r = runCli(['check', LOGITS]);
    assert.equal(r.status, 1, r.stderr);
    const line = lineOf(LOGITS, "units: 10, name: 'fc2'");
    const first = r.stdout.split('\n')[0];
    assert.match(first, new RegExp(`^${LOGITS.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${line}:\\d+: error: .*softmax is missing.* \\[logitsIntoProbabilityLoss\\]$`));
    assert.match(r.stdout, /fix 1: Add activation: 'softmax' to the last layer/);
    assert.match(r.stdout, /fix 2: Use the loss 'softmaxCrossEntropy'/);
    assert.match(r.stdout, /1 error, 0 warnings\./);
  });

  it('--json gives the same finding as data: code, layer, line and the fixes as settings', () => {
    const r = runCli(['check', LOGITS, '--json']);
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { errors: number; diagnoses: { code: string; layer: string; source: { line: number }; fixes: unknown[] }[] };
    assert.equal(out.errors, 1);
    const [d] = out.diagnoses;
    assert.equal(d.code, 'logitsIntoProbabilityLoss');
    assert.equal(d.layer, 'fc2');
    assert.equal(d.source.line, lineOf(LOGITS, "units: 10, name: 'fc2'"));
    assert.deepEqual(d.fixes.map((f) => { const { title: _t, ...rest } = f as { title: string }; return rest; }), [
      { kind: 'setActivation', layer: 'fc2', activation: 'softmax' },
      { kind: 'setLoss', loss: 'softmaxCrossEntropy' },
    ]);
  });

  it('finds nothing wrong with the course MLP and exits 0', () => {
    const r = runCli(['check', example('mnist-mlp.ts'), '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).diagnoses, []);
  });

  it('a softmax before softmaxCrossEntropy is a warning (exit 0)', () => {
    const r = runCli(['check', fixture('doctor/double-softmax.ts')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /: warning: .*applies its own softmax.* \[softmaxBeforeLogitLoss\]/);
    assert.match(r.stdout, /0 errors, 1 warning\./);
  });
});

describe('the doctor\'s Quick Fixes, applied to the file, leave nothing for check to report', () => {
  const diagnosesOf = (file: string) => (JSON.parse(runCli(['check', file, '--json']).stdout) as { diagnoses: DiagnosisMessage[] }).diagnoses;

  for (const [i, name] of [[0, 'adding the softmax'], [1, 'switching to softmaxCrossEntropy']] as const) {
    it(`logits into categoricalCrossentropy, fixed by ${name}`, () => {
      const [d] = diagnosesOf(LOGITS);
      const text = fs.readFileSync(LOGITS, 'utf8');
      const r = editForFix(text, LOGITS, d.fixes[i], d.source);
      assert.equal(r.kind, 'edit', JSON.stringify(r));
      if (r.kind !== 'edit') return;
      const fixed = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ml-fix-')), 'experiment.ts');
      fs.writeFileSync(fixed, r.text);
      assert.deepEqual(diagnosesOf(fixed), []);
    });
  }
});
