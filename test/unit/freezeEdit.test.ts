import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { editFreezeList, type FreezeEditResult } from '../../src/source/freezeEdit';
import { minimalEdit } from '../../src/source/objectEdit';
import { parseSource } from '../../src/source/sourceTree';

const lines = (...l: string[]) => l.join('\n');
const experiment = (...settings: string[]) => lines(
  "import * as tf from '@tensorflow/tfjs';",
  "import { defineExperiment } from 'model-lens';",
  'export default defineExperiment({',
  "  name: 'x',",
  '  model: () => tf.sequential({ layers: [] }),',
  ...settings,
  '});',
  '',
);
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

function edited(r: FreezeEditResult, before: string): string {
  assert.equal(r.kind, 'edit', JSON.stringify(r));
  if (r.kind !== 'edit') throw new Error('unreachable');
  // The one range replaced gives the same text as the whole new text, and the result still parses.
  assert.equal(before.slice(0, r.edit.start) + r.edit.text + before.slice(r.edit.end), r.text);
  assert.deepEqual(parseSource(r.text, 'e.ts').errors, []);
  return r.text;
}

function manual(r: FreezeEditResult, line: number, reason: RegExp): void {
  assert.equal(r.kind, 'manual', JSON.stringify(r));
  if (r.kind !== 'manual') return;
  assert.equal(r.line, line);
  assert.match(r.reason, reason);
}

describe('freezing from the graph: adding to a literal freeze list', () => {
  it('appends to a one-line list, keeping its quotes and the rest of the file byte for byte', () => {
    const before = experiment("  freeze: ['conv*'],");
    const r = editFreezeList(before, 'e.ts', 'dense_1', true);
    const after = edited(r, before);
    assert.equal(after, before.replace("freeze: ['conv*']", "freeze: ['conv*', 'dense_1']"));
    if (r.kind === 'edit') assert.deepEqual([r.edit.text, r.line], [", 'dense_1'", lineOf(before, 'freeze')]);
  });

  it('appends on a new line, at the same indentation, in a multi-line list with a trailing comma', () => {
    const before = experiment('  freeze: [', "    'a',", "    'b',", '  ],');
    const after = edited(editFreezeList(before, 'e.ts', 'c', true), before);
    assert.equal(after, before.replace("    'b',\n", "    'b',\n    'c',\n"));
  });

  it('fills an empty list', () => {
    const before = experiment('  freeze: [],');
    assert.equal(edited(editFreezeList(before, 'e.ts', 'fc1', true), before), before.replace('freeze: []', "freeze: ['fc1']"));
  });

  it('escapes quotes and backslashes in the name, in the quote the file uses', () => {
    const before = experiment('  freeze: ["a"],');
    const after = edited(editFreezeList(before, 'e.ts', 'it"s\\x', true), before);
    assert.ok(after.includes('freeze: ["a", "it\\"s\\\\x"]'), after);
    const single = edited(editFreezeList(experiment("  freeze: ['a'],"), 'e.ts', "it's", true), experiment("  freeze: ['a'],"));
    assert.ok(single.includes("freeze: ['a', 'it\\'s']"), single);
  });

  it('matches names by their value, whatever the escapes (already listed: no edit)', () => {
    const r = editFreezeList(experiment("  freeze: ['it\\'s'],"), 'e.ts', "it's", true);
    assert.deepEqual(r, { kind: 'unchanged', line: 6, listed: true });
  });
});

describe('freezing from the graph: adding a freeze list', () => {
  it('adds a property after the last one, with its indentation and trailing comma', () => {
    const before = experiment();
    const after = edited(editFreezeList(before, 'e.ts', 'fc1', true), before);
    assert.equal(after, before.replace('  model: () => tf.sequential({ layers: [] }),\n', "  model: () => tf.sequential({ layers: [] }),\n  freeze: ['fc1'],\n"));
  });

  it('adds the comma the last property lacks, and keeps a comment that ends its line on that line', () => {
    const before = lines('export default {', '  model: () => m, // builds it', '  epochsNote: 1 // last one', '};');
    const after = edited(editFreezeList(before, 'e.js', 'fc1', true), before);
    assert.equal(after, lines('export default {', '  model: () => m, // builds it', '  epochsNote: 1, // last one', "  freeze: ['fc1']", '};'));
  });

  it('adds to a one-line object in the object itself', () => {
    const before = 'module.exports = { model: () => m };\n';
    assert.equal(edited(editFreezeList(before, 'e.js', 'x', true), before), "module.exports = { model: () => m, freeze: ['x'] };\n");
  });

  it('edits the experiment object, not another object with a freeze key, nor a comment above the export', () => {
    const before = lines(
      "const other = { freeze: ['not-this'] };",
      "// freeze: ['nor-this']",
      'export default defineExperiment({',
      '  model: () => m,',
      '});',
    );
    const after = edited(editFreezeList(before, 'e.ts', 'fc1', true), before);
    assert.ok(after.startsWith(lines("const other = { freeze: ['not-this'] };", "// freeze: ['nor-this']")), after);
    assert.ok(after.includes("  model: () => m,\n  freeze: ['fc1'],\n});"), after);
  });

  it('follows the exported variable to its object', () => {
    const before = lines('const experiment = {', '  model: () => m,', "  freeze: ['a'],", '};', 'export default experiment;');
    assert.ok(edited(editFreezeList(before, 'e.ts', 'b', true), before).includes("freeze: ['a', 'b']"));
  });
});

describe('freezing from the graph: unfreezing', () => {
  it('removes an entry with its separator, in one-line and multi-line lists', () => {
    const one = experiment("  freeze: ['a', 'b', 'c'],");
    assert.ok(edited(editFreezeList(one, 'e.ts', 'b', false), one).includes("freeze: ['a', 'c']"));
    assert.ok(edited(editFreezeList(one, 'e.ts', 'c', false), one).includes("freeze: ['a', 'b']"));
    assert.ok(edited(editFreezeList(one, 'e.ts', 'a', false), one).includes("freeze: ['b', 'c']"));
    const multi = experiment('  freeze: [', "    'a',", "    'b',", '  ],');
    assert.equal(edited(editFreezeList(multi, 'e.ts', 'b', false), multi), experiment('  freeze: [', "    'a',", '  ],'));
    assert.equal(edited(editFreezeList(multi, 'e.ts', 'a', false), multi), experiment('  freeze: [', "    'b',", '  ],'));
  });

  it('empties the list when the last entry goes, and removes every copy of the name', () => {
    const before = experiment("  freeze: ['a', 'b', 'a'],");
    assert.ok(edited(editFreezeList(before, 'e.ts', 'a', false), before).includes("freeze: ['b']"));
    const only = experiment("  freeze: ['a'],");
    assert.ok(edited(editFreezeList(only, 'e.ts', 'a', false), only).includes('freeze: []'));
  });

  it('says when the layer is frozen by a pattern rather than by name', () => {
    const before = experiment("  freeze: ['conv*', '#0-1'],");
    manual(editFreezeList(before, 'e.ts', 'conv1', false), lineOf(before, 'freeze'), /'conv1' is not listed by name.*'conv\*', '#0-1'/);
  });

  it('changes nothing for a layer the file does not freeze by name', () => {
    assert.deepEqual(editFreezeList(experiment(), 'e.ts', 'fc1', false), { kind: 'unchanged', line: null, listed: false });
    assert.deepEqual(editFreezeList(experiment("  freeze: ['a'],"), 'e.ts', 'fc1', false), { kind: 'unchanged', line: 6, listed: false });
  });
});

describe('freezing from the graph: lists it will not touch, with the line to edit', () => {
  const cases: [string, string[], RegExp][] = [
    ['a spread', ["  freeze: [...BASE, 'c'],"], /spread/],
    ['a computed entry', ["  freeze: [N[0], 'c'],"], /not a plain string/],
    ['a template literal', ['  freeze: [`conv${1}`],'], /template literal/],
    ['a template literal without substitutions', ['  freeze: [`conv1`],'], /template literal/],
    ['a comment inside', ["  freeze: ['a' /* the stem */],"], /comments inside/],
    ['a commented-out entry', ['  freeze: [', "    'a',", "    // 'b',", '  ],'], /comments inside/],
    ['a variable instead of a list', ['  freeze: FROZEN,'], /not a list written here/],
    ['a shorthand property', ['  freeze,'], /not a list written here/],
    ['an empty slot', ["  freeze: ['a', , 'b'],"], /empty slot/],
  ];
  for (const [name, settings, reason] of cases) {
    it(`refuses a freeze list with ${name}, for freeze and unfreeze alike`, () => {
      const before = experiment(...settings);
      for (const frozen of [true, false]) {
        const r = editFreezeList(before, 'e.ts', 'a', frozen);
        manual(r, lineOf(before, 'freeze'), reason);
        if (r.kind === 'manual') assert.match(r.action, frozen ? /add 'a'/ : /remove 'a'/);
      }
    });
  }

  it('refuses to add a list to an object that takes settings from a spread', () => {
    const before = lines('export default {', '  ...base,', '  model: () => m,', '};');
    manual(editFreezeList(before, 'e.ts', 'a', true), 2, /spread/);
  });

  it('refuses a file with a syntax error, naming its line', () => {
    const before = experiment("  freeze: ['a'],", '  broken: ,');
    manual(editFreezeList(before, 'e.ts', 'b', true), lineOf(before, 'broken'), /syntax error/);
  });

  it('refuses a file whose default export is not an experiment object written there', () => {
    manual(editFreezeList('export default makeExperiment();\n', 'e.ts', 'a', true), 1, /not an experiment/);
    manual(editFreezeList('const c = load();\nexport default defineExperiment(c);\n', 'e.ts', 'a', true), 2, /not an object written in this file/);
  });
});

describe('the smallest edit between two texts', () => {
  it('keeps the common prefix and suffix', () => {
    assert.deepEqual(minimalEdit('abcXdef', 'abcYYdef'), { start: 3, end: 4, text: 'YY' });
    assert.deepEqual(minimalEdit('aaa', 'aaaa'), { start: 3, end: 3, text: 'a' });
    assert.deepEqual(minimalEdit('same', 'same'), { start: 4, end: 4, text: '' });
  });
});
