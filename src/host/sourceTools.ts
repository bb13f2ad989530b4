// The parser for the user's files (src/source), loaded on first use: as its own bundle
// (dist/sourceTools.js) beside dist/extension.js, so activation does not pay for it.
import * as path from 'node:path';

type SourceTools = typeof import('../source/index');

/** Defined by esbuild: true in dist/extension.js (load the separate bundle), false in tests (bundled in). */
declare const SEPARATE_SOURCE_TOOLS: boolean;

let loaded: SourceTools | undefined;

export function sourceTools(): SourceTools {
  if (!loaded) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = SEPARATE_SOURCE_TOOLS ? require(path.join(__dirname, 'sourceTools.js')) as SourceTools : require('../source/index') as SourceTools;
  }
  return loaded;
}
