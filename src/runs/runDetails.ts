// One run read closer than a listing: its settings and final figures (figures.json), or, for a run
// that never finished, the same figures folded from its messages. Files read from disk are checked
// like messages: a damaged one reads as missing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkTrainerMessage } from '../protocol/messageChecks';
import type { EpochEndMessage, EvaluationMessage, TrainerMessage } from '../protocol/messages';
import { forEachMessage, MESSAGES_FILE } from './messagesFile';
import { upgradeRecordedMessage } from './olderRunFormats';
import { EpochTotals, FIGURES_FILE, SETTINGS_FILE, type FinalFigures } from './runRecorder';
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
  const final: FinalFigures = { epochs: epochs as EpochEndMessage[], evaluation, done, figures: entry.figures };
  const totals = raw.epochTotals;
  if (Array.isArray(totals) && totals.length === epochs.length && totals.every((t) => t === null || (Number.isInteger(t) && t > 0))) {
    final.epochTotals = totals as (number | null)[];
  }
  const names = raw.modelNames;
  if (names && typeof names === 'object' && !Array.isArray(names) && Object.values(names).every((n) => typeof n === 'string')) {
    final.modelNames = names as Record<string, string>;
  }
  return final;
}

export function readRunDetails(entry: RunEntry): RunDetails {
  const settings = readObject(path.join(entry.dir, SETTINGS_FILE));
  let final = readFinal(entry.dir, entry);
  // An older script run's figures.json has no epoch totals: its messages have them (an experiment's plan says them).
  if (!final || (!final.epochTotals && !entry.plan && final.epochs.length)) {
    const epochs: EpochEndMessage[] = [];
    const totals = new EpochTotals();
    let evaluation: EvaluationMessage | null = null;
    forEachMessage(path.join(entry.dir, MESSAGES_FILE), (m) => {
      totals.fold(m);
      if (m.type === 'epochEnd') epochs.push(m);
      else if (m.type === 'evaluation') evaluation = m;
    });
    const folded = { epochTotals: totals.totals, modelNames: totals.modelNames };
    final = final ? { ...final, ...folded } : { epochs, ...folded, evaluation, done: null, figures: entry.figures };
  }
  return { entry, settings, final };
}
