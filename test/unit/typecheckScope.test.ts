// `npm run typecheck` checks what it says it checks: each tsconfig's file list, as tsc resolves it
// (an `exclude` inherited from the root config once left the webview project with no files at all).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { ROOT } from '../helpers/fixtures';

function filesOf(project: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, project), {}, {
    ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  });
  assert.ok(parsed, `${project} parses`);
  return parsed.fileNames.map((f) => path.relative(ROOT, f).split(path.sep).join('/'));
}

function sourcesUnder(folder: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, folder), { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) out.push(path.relative(ROOT, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
  }
  return out;
}

describe('the typecheck projects', () => {
  it('webview/tsconfig.json checks every webview source and the protocol it imports', () => {
    const files = new Set(filesOf('webview/tsconfig.json'));
    const missing = sourcesUnder('webview').filter((f) => !files.has(f));
    assert.deepEqual(missing, [], 'webview sources left out of `tsc -p webview`');
    assert.ok(files.has('src/protocol/messages.ts'));
  });

  it('tsconfig.json checks every source under src/ and every test helper', () => {
    const files = new Set(filesOf('tsconfig.json'));
    const missing = [...sourcesUnder('src'), ...sourcesUnder('test/helpers')].filter((f) => !files.has(f));
    assert.deepEqual(missing, [], 'sources left out of `tsc -p .`');
  });
});
