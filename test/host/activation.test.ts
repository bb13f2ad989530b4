import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Module from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers/fixtures';

/** A stand-in for the `vscode` module that records what the extension registers. */
function fakeVscode() {
  const registered = new Map<string, (...args: unknown[]) => unknown>();
  const messages: string[] = [];
  const api = {
    commands: {
      registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
        registered.set(id, fn);
        return { dispose() {} };
      },
    },
    window: {
      createOutputChannel: () => ({ dispose() {}, clear() {}, appendLine() {}, show() {} }),
      showInformationMessage: (m: string) => { messages.push(m); return Promise.resolve(undefined); },
      showWarningMessage: (m: string) => { messages.push(m); return Promise.resolve(undefined); },
      showErrorMessage: (m: string) => { messages.push(m); return Promise.resolve(undefined); },
      activeTextEditor: undefined,
    },
    workspace: { isTrusted: true },
    ProgressLocation: { Window: 10 },
  };
  return { api, registered, messages };
}

function loadExtension(vscode: unknown) {
  const M = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = M._load;
  M._load = (request: string, ...rest: unknown[]) => (request === 'vscode' ? vscode : original(request, ...rest));
  try {
    const file = path.join(ROOT, 'dist', 'extension.js');
    delete require.cache[file];
    return require(file) as { activate(ctx: unknown): void };
  } finally {
    M._load = original;
  }
}

describe('extension activation', () => {
  it('registers exactly the commands the manifest contributes', () => {
    const { api, registered } = fakeVscode();
    loadExtension(api).activate({ subscriptions: [], extensionPath: ROOT });
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const contributed = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual([...registered.keys()].sort(), contributed);
    for (const id of contributed) assert.ok(manifest.activationEvents.length === 0 || manifest.activationEvents.includes(`onCommand:${id}`));
  });

  it('says honestly that training is not ready yet', () => {
    const { api, registered, messages } = fakeVscode();
    loadExtension(api).activate({ subscriptions: [], extensionPath: ROOT });
    registered.get('modelLens.train')!();
    assert.match(messages[0], /Train Model is not available in this version yet/);
  });

  it('refuses to run an experiment file in an untrusted workspace', async () => {
    const { api, registered, messages } = fakeVscode();
    api.workspace.isTrusted = false;
    loadExtension(api).activate({ subscriptions: [], extensionPath: ROOT });
    await registered.get('modelLens.showSummary')!();
    assert.match(messages[0], /disabled in Restricted Mode/);
  });

  it('keeps tfjs out of the extension host bundle', () => {
    const bundle = fs.readFileSync(path.join(ROOT, 'dist', 'extension.js'), 'utf8');
    assert.doesNotMatch(bundle, /tfjs-core|@tensorflow/);
  });
});
