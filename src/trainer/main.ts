// dist/trainer.js: the training child process. The host forks it with IPC, sends `start` and maybe
// `stop`; it answers with protocol messages and exits when the run is done. A crash or an
// out-of-memory here never takes the extension host down.
import { MessageCoalescer } from '../protocol/messageCoalescer';
import { checkTrainerCommand, trainerFrame } from '../protocol/messageChecks';
import type { TrainerMessage } from '../protocol/messages';
import { runTraining, type RunControl } from './trainingRun';

const control: RunControl = { stopRequested: false };
let running = false;

function sendFrame(frame: TrainerMessage | TrainerMessage[]): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(frame, undefined, {}, () => resolve());
  });
}
/** The messages go to the host as one IPC frame per interval (the urgent ones at once). */
const FRAME_INTERVAL_MS = 50;
const outbox = new MessageCoalescer((messages) => sendFrame(trainerFrame(messages)), FRAME_INTERVAL_MS);
const send = (message: TrainerMessage): Promise<void> => {
  outbox.post(message);
  return outbox.flush();
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
    return;
  }
  if (running) {
    void send({ type: 'log', level: 'warn', message: 'a run is already going in this process; start ignored' });
    return;
  }
  running = true;
  void runTraining(command.request, (m) => outbox.post(m), control).then(async (done) => {
    await outbox.flush();
    process.exit(done.reason === 'completed' || done.reason === 'stopped' || done.reason === 'inspected' ? 0 : 1);
  });
});

// The host went away (window closed, extension host crashed): stop at the next step and leave.
process.on('disconnect', () => {
  control.stopRequested = true;
  setTimeout(() => process.exit(0), 5000).unref();
});
