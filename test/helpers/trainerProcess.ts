import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { checkTrainerFrame } from '../../src/protocol/messageChecks';
import type { BuildMessage, TrainerMessage, TrainRequest } from '../../src/protocol/messages';
import { ROOT } from './fixtures';

export interface TrainerRun {
  child: ChildProcess;
  messages: TrainerMessage[];
  /** The build announcements, which only the trainer's parent reads. */
  builds: BuildMessage[];
  invalid: string[];
  /** Resolves with the exit code when the process has exited. */
  exited: Promise<number | null>;
  waitFor(predicate: (m: TrainerMessage) => boolean, timeoutMs?: number): Promise<TrainerMessage>;
}

/** Forks the real dist/trainer.js directly (not through src/trainerProcess) and records what it says. */
export function startTrainer(request: TrainRequest): TrainerRun {
  const child = fork(path.join(ROOT, 'dist', 'trainer.js'), [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const messages: TrainerMessage[] = [];
  const builds: BuildMessage[] = [];
  const invalid: string[] = [];
  const waiters: { predicate: (m: TrainerMessage) => boolean; resolve: (m: TrainerMessage) => void }[] = [];
  child.on('message', (raw) => {
    const frame = checkTrainerFrame(raw);
    invalid.push(...frame.errors);
    for (const m of frame.messages) {
      if (m.type === 'build') { builds.push(m); continue; }
      messages.push(m);
      for (const w of [...waiters]) {
        if (w.predicate(m)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.send({ type: 'start', request });
  return {
    child, messages, builds, invalid, exited,
    waitFor(predicate, timeoutMs = 120_000) {
      const seen = messages.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out; got ${messages.map((m) => m.type).join(',')}`)), timeoutMs);
        waiters.push({ predicate, resolve: (m) => { clearTimeout(timer); resolve(m); } });
      });
    },
  };
}
