// `model-lens train` keeps its run: the printer is wrapped so each message is appended to the run
// folder as it arrives, before it is printed. The run is finished by its done message, or when this
// process exits without one (a second Ctrl-C, a trainer that died): then it is `interrupted`.
import * as fs from 'node:fs';
import type { TrainerMessage, TrainRequest } from '../protocol/messages';
import { runsDirFromOption } from '../runs/projectRoot';
import { RunStore } from '../runs/runStore';
import type { CliArgs } from './cliArgs';
import { shownPath } from './runsTables';

/** Wraps `print` to record each message first; `runDir` is the run's folder (where checkpoints go), if it is kept. */
export function recordRun(args: CliArgs, request: TrainRequest, print: (m: TrainerMessage) => void): { show: (m: TrainerMessage) => void; runDir: string | null } {
  if (!fs.existsSync(args.target)) return { show: print, runDir: null }; // nothing ran: the trainer says the file is missing
  const store = args.dir ? new RunStore(runsDirFromOption(args.dir)) : RunStore.forFile(args.target);
  const overrides = Object.fromEntries(Object.entries(request).filter(([k, v]) => k !== 'file' && v !== undefined));
  const warn = (what: string) => process.stderr.write(`warning: ${what}\n`);
  let recorder;
  try {
    recorder = store.create({
      file: args.target, overrides, keep: args.keepRuns,
      onWriteError: (e) => warn(`the rest of this run is not recorded: ${e.message}`),
    });
  } catch (e) {
    warn(`this run is not recorded in ${store.dir}: ${(e as Error).message}`);
    return { show: print, runDir: null };
  }
  const run = recorder;
  process.once('exit', () => run.finish());
  const show = (m: TrainerMessage) => {
    run.append(m);
    print(m);
    if (m.type === 'done') process.stderr.write(`Run kept in ${shownPath(run.dir)}\n`);
  };
  return { show, runDir: run.dir };
}
