import * as vscode from 'vscode';
import { fork } from 'node:child_process';
import * as path from 'node:path';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs dist/cli.js in a child process (never tfjs in the extension host). Under desktop VS Code the
 * host is Electron; ELECTRON_RUN_AS_NODE makes the child a plain Node.
 */
export function runCli(context: vscode.ExtensionContext, args: string[], token?: vscode.CancellationToken): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = fork(path.join(context.extensionPath, 'dist', 'cli.js'), args, {
      silent: true,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    const cancel = token?.onCancellationRequested(() => child.kill());
    child.on('error', (e) => { stderr += e.message; });
    child.on('close', (code) => {
      cancel?.dispose();
      resolve({ code, stdout, stderr });
    });
  });
}
