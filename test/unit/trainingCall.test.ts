import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { firstTrainingCall } from '../../src/source';
import { fixture, lineOf } from '../helpers/fixtures';

describe('where a script trains (the Run Script CodeLens)', () => {
  it('finds the first fit of a TypeScript script with top-level await', () => {
    const file = fixture('scripts/fit-functional.ts');
    assert.equal(firstTrainingCall(fs.readFileSync(file, 'utf8'), file)?.line, lineOf(file, 'await model.fit('));
  });

  it('finds fitDataset and a custom loop’s minimize', () => {
    const dataset = fixture('scripts/fit-dataset.ts');
    assert.equal(firstTrainingCall(fs.readFileSync(dataset, 'utf8'), dataset)?.line, lineOf(dataset, 'model.fitDataset('));
    const loop = fixture('scripts/minimize-loop.mjs');
    assert.equal(firstTrainingCall(fs.readFileSync(loop, 'utf8'), loop)?.line, lineOf(loop, 'optimizer.minimize('));
  });

  it('takes the first call in source order, inside functions too', () => {
    const text = 'async function main() {\n  await a.fitDataset(ds);\n}\nmodel.fit(x, y);\n';
    assert.deepEqual(firstTrainingCall(text, 'x.js'), { line: 2, column: 9 });
  });

  it('finds nothing in a file that never trains, nor in a plain function named fit', () => {
    assert.equal(firstTrainingCall("const tf = require('@tensorflow/tfjs');\nfit(1);\nmodel.predict(x);\n", 'x.js'), null);
    assert.equal(firstTrainingCall('this is not { valid', 'x.ts'), null);
  });
});
