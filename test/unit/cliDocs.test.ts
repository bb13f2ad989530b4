// docs/cli.md lists every flag the CLI's usage names, so the README's pointer to it stays true as
// flags are added.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { USAGE } from '../../src/cli/cliArgs';
import { ROOT } from '../helpers/fixtures';

describe('docs/cli.md', () => {
  it('documents every flag of the usage text', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'cli.md'), 'utf8');
    const flags = [...new Set(USAGE.match(/--[a-z][a-z-]*/g) ?? [])];
    assert.ok(flags.length >= 15, `usage names ${flags.length} flags`);
    const missing = flags.filter((f) => !new RegExp(`\`${f}\\b`).test(doc));
    assert.deepEqual(missing, []);
  });
});
