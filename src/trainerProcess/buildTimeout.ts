// The message for user code that did not finish building the model (or returning its data) in time:
// which step, where, and what to do (the setting that raises the limit differs between the CLI and VS Code).
import type { BuildStep, ErrorMessage } from '../protocol/messages';
import type { SourceLocation } from '../protocol/modelInfo';

const WHAT_HUNG: Record<BuildStep, string> = {
  file: "the experiment file's top-level code did not finish",
  model: 'model() did not return',
  modelJson: 'the model.json did not load',
  data: 'data() did not return',
};

const WHY: Record<BuildStep, string> = {
  file: 'It may loop forever or wait for something that never comes.',
  model: 'It may loop forever or wait for a promise that never settles (also in what it awaits, such as loadModel).',
  modelJson: 'Its weight files may be special files that never end, or very large.',
  data: 'It may loop forever or wait for a promise that never settles (a download, a file read); a tf.data.Dataset is timed until its first element.',
};

export function buildTimeoutError(step: BuildStep, location: SourceLocation | null, seconds: number, setting = 'the build timeout'): ErrorMessage {
  return {
    type: 'error',
    message: `${WHAT_HUNG[step]} within ${seconds} s`,
    location,
    hint: `${WHY[step]} Fix that and run again; if ${step === 'data' ? 'reading the data' : 'building'} really takes longer, raise ${setting}.`,
  };
}
