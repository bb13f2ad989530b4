// What a panel or a report replays for a recorded run: its messages as recorded and, for a run that
// was interrupted (its process died before the done message), an error and an end saying so, so
// the panel draws every recorded step and then shows why the run stopped there.
import type { TrainerMessage } from '../protocol/messages';
import type { RunHeader } from './runHeader';

export function replayMessages(header: Pick<RunHeader, 'status' | 'figures'>, messages: readonly TrainerMessage[]): TrainerMessage[] {
  if (header.status !== 'interrupted' || messages.some((m) => m.type === 'done')) return [...messages];
  let steps = 0;
  let elapsedSec = 0;
  for (const m of messages) {
    if (m.type === 'batch') { steps = m.step; elapsedSec = m.elapsedSec; }
  }
  return [
    ...messages,
    {
      type: 'error', location: null, hint: 'Its messages up to that step are kept; train again to finish it.',
      message: `this run was interrupted after step ${steps}: the process recording it ended without finishing (killed, crashed or closed).`,
    },
    { type: 'done', stopped: false, reason: 'error', steps, elapsedSec, savedTo: null },
  ];
}
