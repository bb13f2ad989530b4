import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture, lineOf } from '../helpers/fixtures';
import { runCli, type CliRun } from '../helpers/runCli';

/** One clear message: non-zero exit, `model-lens: error: FILE:LINE:COL: …` (plus an optional hint), no stack. */
function errorLine(run: CliRun): string {
  assert.notEqual(run.status, 0);
  const lines = run.stderr.trim().split('\n').filter((l) => !l.startsWith('Run kept in ')); // train records every run
  assert.match(lines[0], /^model-lens: error: /, run.stderr);
  assert.ok(lines.length <= 2, run.stderr);
  assert.doesNotMatch(run.stderr, /\n\s+at |internal error/, 'no stack trace, no internal error');
  return lines[0];
}

/** `FILE:LINE:` of the first line of the fixture holding `needle`. */
const at = (file: string, needle: string) => `${file}:${lineOf(file, needle)}:`;

describe('a layer that fails inside a Sequential is reported at its own tf.layers call', () => {
  it('points a conv2d after a dense at the conv2d', () => {
    const file = fixture('bad-layers/conv-after-dense.ts');
    const line = errorLine(runCli(['summary', file]));
    assert.ok(line.includes(at(file, 'tf.layers.conv2d(')), line);
    assert.match(line, /layer "conv2d_Conv2D\d+" \(Conv2D\): Input 0 is incompatible/);
  });

  it('points a name tfjs cannot use at that layer', () => {
    const file = fixture('bad-layers/invalid-name.ts');
    const line = errorLine(runCli(['summary', file]));
    assert.ok(line.includes(at(file, "name: 'not valid!'")), line);
    assert.match(line, /Not a valid tensor name/);
  });

  it('points a layer whose construction throws at its factory call, in one line', () => {
    const file = fixture('bad-layers/unknown-activation.ts');
    const line = errorLine(runCli(['summary', file]));
    assert.ok(line.includes(at(file, "activation: 'nonsense'")), line);
    assert.match(line, /Unknown activation: nonsense\.$/);
  });

  it('points a bad layer of a nested block at its line inside the helper', () => {
    const file = fixture('bad-layers/nested-bad.ts');
    const line = errorLine(runCli(['graph', file]));
    assert.ok(line.includes(at(file, 'tf.layers.conv2d(')), line);
  });
});

describe('a weight too large for the backend is refused before it is allocated', () => {
  const runs = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-layer-runs-'));
  for (const command of [['summary'], ['train', '--backend', 'wasm', '--dir', runs]]) {
    it(`names the 10^10-value kernel at its layer's line (${command.join(' ')})`, () => {
      const file = fixture('bad-layers/huge-layer.ts');
      const run = runCli([command[0], file, ...command.slice(1)]);
      const line = errorLine(run);
      const third = lineOf(file, 'units: 100000 }),') + 1;
      assert.ok(line.includes(`${file}:${third}:`), line);
      assert.match(line, /its kernel \[100000, 100000\] has 10,000,000,000 values \(40\.0 GB\), more than one tensor can hold on the (cpu|wasm) backend/);
      assert.match(run.stderr, /Make the layer smaller/);
    });
  }
});
