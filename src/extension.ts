import type * as vscode from 'vscode';
import { registerCommands } from './host/commands';

export function activate(context: vscode.ExtensionContext): void {
  registerCommands(context);
}

export function deactivate(): void {}
