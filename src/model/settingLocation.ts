// Where a setting of the experiment is written, for messages about it: the parser (src/source) reads
// the file's text only when a message needs a place, so a run without problems never loads it.
import * as fs from 'node:fs';
import type { SourceLocation } from '../protocol/modelInfo';
import type { SettingPath } from '../protocol/settingRules';

type SourceTools = typeof import('../source/index');
let tools: SourceTools | undefined;

/** The line and column of `setting`'s key in `file` (`text` when given: an editor's unsaved text). */
export function locateSettingInFile(file: string, setting: SettingPath, text?: string): SourceLocation {
  let source = text;
  try {
    source ??= fs.readFileSync(file, 'utf8');
  } catch {
    return { file, line: 1, column: 1 };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  tools ??= require('../source/index') as SourceTools;
  const at = tools.locateSettingInText(source, file, setting);
  return { file, line: at?.line ?? 1, column: at?.column ?? 1 };
}
