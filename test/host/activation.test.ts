import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers/fixtures';
import { fakeVscode, loadExtension } from '../helpers/fakeVscode';

describe('extension activation', () => {
  it('registers exactly the commands the manifest contributes', () => {
    const { vscode, registered } = fakeVscode();
    loadExtension(vscode).activate({ subscriptions: [], extensionPath: ROOT });
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const contributed = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual([...registered.keys()].sort(), contributed);
  });

  for (const command of ['modelLens.train', 'modelLens.showGraph', 'modelLens.showSummary']) {
    it(`refuses ${command} in an untrusted workspace, saying why`, async () => {
      const { api, vscode, registered, messages } = fakeVscode();
      api.workspace.isTrusted = false;
      loadExtension(vscode).activate({ subscriptions: [], extensionPath: ROOT });
      await registered.get(command)!();
      assert.match(messages[0], /disabled in Restricted Mode/);
    });
  }

  it('keeps tfjs out of the extension host bundle', () => {
    const bundle = fs.readFileSync(path.join(ROOT, 'dist', 'extension.js'), 'utf8');
    assert.doesNotMatch(bundle, /tfjs-core|@tensorflow/);
  });
});
