// Where the user's @tensorflow/tfjs-node (or -gpu) is: it cannot ship inside the extension (its
// install downloads libtensorflow for one platform), so we use the one the user installed, in the
// experiment's workspace or globally, when its tfjs-core is the version ours is (tfjs keeps one
// engine and kernel registry per process, shared by every copy of tfjs-core, so the versions must agree).
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

export const TFJS_NODE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

export interface TfjsNodeFound {
  /** The package's folder, which `require` loads. */
  dir: string;
  name: string;
  /** The tfjs-core its own require resolves, or null when it resolves none. */
  coreVersion: string | null;
}

export type TfjsNodeSearch = { usable: TfjsNodeFound } | { usable: null; reason: string };

/** node_modules folders from `fromDir` up to the root, then the global ones. */
export function searchFolders(fromDir: string, globalFolders: string[]): string[] {
  const out: string[] = [];
  for (let dir = path.resolve(fromDir); ; dir = path.dirname(dir)) {
    if (path.basename(dir) !== 'node_modules') out.push(path.join(dir, 'node_modules'));
    if (path.dirname(dir) === dir) break;
  }
  return [...out, ...globalFolders.filter((d) => !out.includes(d))];
}

/** Where `npm install -g` puts packages: $NODE_PATH, the npm prefix, and the usual defaults. */
export function globalFolders(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string[] {
  const fromPrefix = (prefix: string) => (platform === 'win32' ? path.join(prefix, 'node_modules') : path.join(prefix, 'lib', 'node_modules'));
  const folders = [
    ...(env.NODE_PATH ?? '').split(path.delimiter).filter(Boolean),
    ...[env.npm_config_prefix, env.NPM_CONFIG_PREFIX].filter((p): p is string => Boolean(p)).map(fromPrefix),
    ...(platform === 'win32'
      ? [env.APPDATA ? path.join(env.APPDATA, 'npm', 'node_modules') : '']
      : ['/usr/local/lib/node_modules', '/usr/lib/node_modules', '/opt/homebrew/lib/node_modules', path.join(os.homedir(), '.npm-global', 'lib', 'node_modules')]),
  ];
  return [...new Set(folders.filter(Boolean))];
}

function readVersion(packageJson: string): string | null {
  try {
    return (JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

/** The first tfjs-node in `folders`, with the tfjs-core it would run on. */
export function findTfjsNode(folders: string[]): TfjsNodeFound | null {
  for (const folder of folders) {
    for (const name of TFJS_NODE_PACKAGES) {
      const dir = path.join(folder, name);
      const manifest = path.join(dir, 'package.json');
      if (!fs.existsSync(manifest)) continue;
      let coreVersion: string | null = null;
      try {
        coreVersion = readVersion(createRequire(manifest).resolve('@tensorflow/tfjs-core/package.json'));
      } catch {
        coreVersion = null;
      }
      return { dir, name, coreVersion };
    }
  }
  return null;
}

/** The workspace's folders, the global ones, then where our own require looks (a development checkout's). */
function defaultFolders(fromDir: string): string[] {
  const own = require.resolve.paths('@tensorflow/tfjs-node') ?? [];
  return [...new Set([...searchFolders(fromDir, globalFolders()), ...own])];
}

/** The tfjs-node to load, or why there is none we can use. */
export function usableTfjsNode(fromDir: string, ourCoreVersion: string, folders = defaultFolders(fromDir)): TfjsNodeSearch {
  const found = findTfjsNode(folders);
  if (!found) {
    return { usable: null, reason: '@tensorflow/tfjs-node is not installed in the workspace or globally (optional: `npm install @tensorflow/tfjs-node` in the workspace adds it)' };
  }
  if (found.coreVersion !== ourCoreVersion) {
    return {
      usable: null,
      reason: `${found.dir} runs on tfjs-core ${found.coreVersion ?? '(none found)'}, Model Lens on ${ourCoreVersion}: install ${found.name}@${ourCoreVersion}`,
    };
  }
  return { usable: found };
}
