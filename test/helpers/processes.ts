// Watching processes from a test: is a pid still running (a zombie counts as gone: it has ended and
// only waits to be reaped), which processes a pid has forked, and the CLI started as a terminal would.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from './fixtures';

/** The state letter and parent pid from /proc/PID/stat, or null when there is no such process. */
function procStat(pid: number): { state: string; ppid: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid) };
  } catch {
    return null;
  }
}

export function isRunning(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

/** Running processes whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number)
    .filter((p) => procStat(p)?.ppid === pid && isRunning(p));
}

/** Polls until `probe` is true; false if it is still not after `timeoutMs`. */
export async function eventually(probe: () => boolean, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (probe()) return true;
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
}

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** Ctrl-C as a terminal sends it: SIGINT to the whole foreground process group (the CLI and its trainer). */
  ctrlC(): void;
}

/** dist/cli.js in a process group of its own, as a shell runs a foreground command. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), ...args], {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return { child, stdout: () => out, stderr: () => err, exited, ctrlC: () => process.kill(-child.pid!, 'SIGINT') };
}

/** Kills what a test left behind, by pid. */
export function killIfRunning(...pids: (number | undefined)[]): void {
  for (const pid of pids) {
    if (pid !== undefined && isRunning(pid)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
    }
  }
}
