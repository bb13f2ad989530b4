// One run read closer than a listing: its settings and final figures (figures.json), or, for a run
// that never finished, the same figures folded from its messages. Files read from disk are checked
// like messages: a damaged one reads as missing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkTrainerMessage } from '../protocol/messageChecks';
import type { EpochEndMessage, EvaluationMessage, TrainerMessage } from '../protocol/messages';
import { forEachMessage, MESSAGES_FILE } from './messagesFile';
import { upgradeRecordedMessage } from './olderRunFormats';
import { FIGURES_FILE, SETTINGS_FILE, type FinalFigures } from './runRecorder';
import type { RunEntry } from './runStore';

export interface RunDetails {
  entry: RunEntry;
  /** settings.json: `overrides`, and once the model arrived `plan`, `dataset`, `backend`, `initialLr`. */
  settings: Record<string, unknown> | null;
  final: FinalFigures;
}

function readObject(file: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : null;
  } catch {
    return null;
  }
}

function checkedAs<T extends TrainerMessage['type']>(value: unknown, type: T): Extract<TrainerMessage, { type: T }> | null {
  const checked = checkTrainerMessage(upgradeRecordedMessage(value));
  return checked.ok && checked.value.type === type ? checked.value as Extract<TrainerMessage, { type: T }> : null;
}

function readFinal(dir: string, entry: RunEntry): FinalFigures | null {
  const raw = readObject(path.join(dir, FIGURES_FILE));
  if (!raw || !Array.isArray(raw.epochs)) return null;
  const epochs = raw.epochs.map((e) => checkedAs(e, 'epochEnd'));
  if (epochs.some((e) => e === null)) return null;
  const evaluation = raw.evaluation == null ? null : checkedAs(raw.evaluation, 'evaluation');
  const done = raw.done == null ? null : checkedAs(raw.done, 'done');
  if ((raw.evaluation != null && !evaluation) || (raw.done != null && !done)) return null;
  return { epochs: epochs as EpochEndMessage[], evaluation, done, figures: entry.figures };
}

export function readRunDetails(entry: RunEntry): RunDetails {
  const settings = readObject(path.join(entry.dir, SETTINGS_FILE));
  let final = readFinal(entry.dir, entry);
  if (!final) {
    const epochs: EpochEndMessage[] = [];
    let evaluation: EvaluationMessage | null = null;
    forEachMessage(path.join(entry.dir, MESSAGES_FILE), (m) => {
      if (m.type === 'epochEnd') epochs.push(m);
      else if (m.type === 'evaluation') evaluation = m;
    });
    final = { epochs, evaluation, done: null, figures: entry.figures };
  }
  return { entry, settings, final };
}
