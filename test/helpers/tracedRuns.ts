// A training run in this process, its messages collected, and the trace among them (step-through tests).
import type { TraceMessage, TrainerMessage, TrainRequest } from '../../src/protocol/messages';
import { runTraining, type RunControl } from '../../src/trainer/trainingRun';

export async function train(request: TrainRequest, control: Partial<RunControl> = {}): Promise<TrainerMessage[]> {
  const messages: TrainerMessage[] = [];
  await runTraining(request, (m) => messages.push(m), { stopRequested: false, ...control });
  return messages;
}

export const traceOf = (ms: TrainerMessage[]) => ms.find((m): m is TraceMessage => m.type === 'trace');
