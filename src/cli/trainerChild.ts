// The CLI runs the trainer as a child process, as the extension does (src/trainerProcess), so a
// model() that hangs is timed out and ended, and Ctrl-C always ends the run: the first asks the
// trainer to stop after its step (killed if it has not ended soon after), the second kills it at once.
import * as path from 'node:path';
import type { DoneMessage, TrainerMessage, TrainRequest } from '../protocol/messages';
import { TrainerProcess, type MessageSource } from '../trainerProcess/trainerProcess';

/** How long Ctrl-C waits for the step to end before killing the trainer: the command ends within 2 s. */
export const CTRL_C_GRACE_MS = 1000;

export interface TrainerChildOptions {
  buildTimeoutSec?: number;
  onMessage: (m: TrainerMessage, source: MessageSource) => void;
  /** Ctrl-C: 'stop' asks the trainer to stop after its step (a second Ctrl-C kills it); 'kill' kills it at once. */
  onInterrupt: 'stop' | 'kill';
}

/** Runs one request in dist/trainer.js (next to dist/cli.js); resolves with its `done` once the process is gone. */
export function runTrainerChild(request: TrainRequest, options: TrainerChildOptions): Promise<DoneMessage> {
  const trainer = new TrainerProcess({
    trainerPath: path.join(__dirname, 'trainer.js'),
    request,
    buildTimeoutSec: options.buildTimeoutSec,
    buildTimeoutSetting: '--build-timeout SECONDS',
    stopGraceMs: CTRL_C_GRACE_MS,
    // What the user's code prints goes where it would if it ran in this process.
    onOutput: (stream, text) => (stream === 'stdout' ? process.stdout : process.stderr).write(text),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (options.onInterrupt === 'kill' || interrupts > 1) {
      trainer.removeAllListeners('message'); // quits: the run ends unfinished, not as stopped
      trainer.kill();
      process.exit(130);
    }
    process.stderr.write('\nStopping after this step (Ctrl-C again to quit now)…\n');
    trainer.stop();
  };
  process.on('SIGINT', onSigint);
  return new Promise<DoneMessage>((resolve) => {
    let done: DoneMessage | null = null;
    trainer.on('message', (m, source) => {
      if (m.type === 'done') done = m;
      options.onMessage(m, source);
    });
    trainer.on('exit', () => {
      process.off('SIGINT', onSigint);
      resolve(done!);
    });
    trainer.start();
  });
}
