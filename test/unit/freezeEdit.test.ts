import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { editFreezeList } from '../../src/host/freezeEdit';

const experiment = `import * as tf from '@tensorflow/tfjs';
export default defineExperiment({
  name: 'x',
  model: () => tf.sequential({ layers: [] }),
});
`;

describe('freezing from the panel, written into the experiment file', () => {
  it('adds a freeze list to an export that has none', () => {
    const edit = editFreezeList(experiment, 'conv1', true)!;
    assert.match(edit.text, /export default defineExperiment\(\{\n {2}freeze: \['conv1'\], \/\/ frozen from the Model Lens graph\n {2}name: 'x',/);
    assert.equal(edit.line, 3);
  });

  it('appends to an existing list and removes on unfreeze', () => {
    const withList = experiment.replace("name: 'x',", "name: 'x',\n  freeze: ['conv*'],");
    const added = editFreezeList(withList, 'dense_1', true)!;
    assert.match(added.text, /freeze: \['conv\*', 'dense_1'\]/);
    const removed = editFreezeList(added.text, 'conv*', false)!;
    assert.match(removed.text, /freeze: \['dense_1'\]/);
  });

  it('changes nothing when the layer is already in the state asked for', () => {
    assert.equal(editFreezeList(experiment, 'conv1', false), null);
    assert.equal(editFreezeList(experiment.replace("name: 'x',", "freeze: ['a'],"), 'a', true), null);
  });

  it('keeps the file’s quote style and handles a plain object export', () => {
    const plain = 'export default {\n  model: () => m,\n};\n';
    assert.match(editFreezeList(plain.replace('m,', '"m",'), 'x', true)!.text, /freeze: \["x"\]/);
    assert.match(editFreezeList(plain, 'x', true)!.text, /export default \{\n {2}freeze: \['x'\]/);
  });

  it('gives up (null) on a file without a default export object', () => {
    assert.equal(editFreezeList('export const model = 1;', 'x', true), null);
  });
});
