// dist/trainer.js: the training child process. Its parent (src/trainerProcess: the extension host or
// the CLI) forks it with IPC, sends `start` and maybe `stop`; it answers with protocol messages and
// exits when the run is done. A crash or an out-of-memory here never takes its parent down; its parent
// ends it when the user's code hangs, and it ends itself when its parent dies.
import { MessageCoalescer } from '../protocol/messageCoalescer';
import { checkTrainerCommand, trainerFrame } from '../protocol/messageChecks';
import type { TrainerMessage, TrainerProcessMessage } from '../protocol/messages';
import { watchParent } from './parentWatchdog';
import { runScript, type ScriptEnd } from './script/scriptRun';
import { StepGate } from './stepGate';
import { runTraining, type RunControl } from './trainingRun';

// Ctrl-C in a terminal reaches the whole process group, this process too: the parent decides what it
// means (stop after the step, or kill), so the signal alone must not end the run.
process.on('SIGINT', () => undefined);
watchParent();

let running = false;
const script: ScriptEnd = { flush: () => void outbox.flush() };

function sendFrame(frame: TrainerProcessMessage | TrainerProcessMessage[]): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(frame, undefined, {}, () => resolve());
  });
}
/** The messages go to the parent as one IPC frame per interval (the urgent ones at once). */
const FRAME_INTERVAL_MS = 50;
const outbox = new MessageCoalescer<TrainerProcessMessage>((messages) => sendFrame(trainerFrame(messages)), FRAME_INTERVAL_MS);
const send = (message: TrainerProcessMessage): Promise<void> => {
  outbox.post(message);
  return outbox.flush();
};

const control: RunControl = {
  stopRequested: false,
  gate: new StepGate(),
  // Written before the user's code runs: if it blocks this event loop, the parent still times it.
  onBuild: (step, location) => send({ type: 'build', running: step, location }),
};

process.on('message', (raw: unknown) => {
  const checked = checkTrainerCommand(raw);
  if (!checked.ok) {
    void send({ type: 'log', level: 'warn', message: `ignored a malformed command: ${checked.error}` });
    return;
  }
  const command = checked.value;
  if (command.type === 'stop') {
    control.stopRequested = true;
    control.gate?.release();
    script.stop?.();
    return;
  }
  if (command.type !== 'start') {
    control.gate?.command(command);
    return;
  }
  if (running) {
    void send({ type: 'log', level: 'warn', message: 'a run is already going in this process; start ignored' });
    return;
  }
  running = true;
  if (command.request.script) {
    void runScript(command.request, (m: TrainerMessage) => outbox.post(m), script);
    return;
  }
  void runTraining(command.request, (m: TrainerMessage) => outbox.post(m), control).then(async (done) => {
    await outbox.flush();
    process.exit(done.reason === 'completed' || done.reason === 'stopped' || done.reason === 'inspected' ? 0 : 1);
  });
});

// The host went away (window closed, extension host crashed): stop at the next step and leave.
process.on('disconnect', () => {
  control.stopRequested = true;
  control.gate?.release();
  script.stop?.();
  setTimeout(() => process.exit(0), 5000).unref();
});
