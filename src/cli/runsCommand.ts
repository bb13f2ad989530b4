// `model-lens runs [list|show|compare|rm|export]`: the runs kept in a project's .model-lens/runs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../model/userError';
import { runsDirFromFolder, runsDirFromOption } from '../runs/projectRoot';
import { readRunDetails } from '../runs/runDetails';
import { RunStore, type RunEntry } from '../runs/runStore';
import { exportToTensorBoard } from '../runs/tensorboard/tensorboardExport';
import { SEE_HELP, type CliArgs } from './cliArgs';
import { compareRows, compareText, listText, runListing, shownPath, showText } from './runsTables';

const SUBCOMMANDS = ['list', 'show', 'compare', 'rm', 'export'];

/** The runs folder: --dir, else the project's, found from the current folder. */
export function storeOf(args: CliArgs): RunStore {
  return new RunStore(args.dir ? runsDirFromOption(args.dir) : runsDirFromFolder(process.cwd()));
}

export function runsCommand(args: CliArgs): number {
  const [sub = 'list', ...refs] = args.positionals;
  const store = storeOf(args);
  const out = (text: string) => process.stdout.write(`${text}\n`);
  const json = (value: unknown) => out(JSON.stringify(value, null, 2));
  const need = (min: number, what: string) => {
    if (refs.length < min) throw new UserError(`runs ${sub}: give ${what}.`, null, SEE_HELP);
  };
  switch (sub) {
    case 'list': {
      const entries = store.list();
      if (args.json) json(entries.map(runListing));
      else out(listText(entries));
      return 0;
    }
    case 'show': {
      need(1, 'a RUN');
      const details = readRunDetails(entryOf(store, store.resolve(refs[0])));
      const copy = details.entry.copy ? path.join(details.entry.dir, details.entry.copy) : null;
      if (args.json) json({ run: runListing(details.entry), settings: details.settings, ...details.final });
      else out(showText(details, store.fileOf(details.entry), copy && fs.existsSync(copy) ? shownPath(copy) : null));
      return 0;
    }
    case 'compare': {
      need(2, 'two RUNs or more');
      const runs = refs.map((r) => readRunDetails(entryOf(store, store.resolve(r))));
      const same = runs.map((d) => sameExperiment(runs[0].entry, d.entry));
      const rows = compareRows(runs, same);
      if (args.json) json({ runs: runs.map((d) => runListing(d.entry)), rows });
      else out(compareText(runs, rows));
      return 0;
    }
    case 'rm': {
      need(1, 'the RUN(s) to remove');
      const dirs = refs.map((r) => store.resolve(r));
      for (const dir of dirs) out(`Removed ${store.remove(dir).id}`);
      return 0;
    }
    case 'export': {
      need(1, 'the RUN(s) to export');
      if (!args.tensorboard) throw new UserError('runs export: say where with --tensorboard DIR.', null, SEE_HELP);
      for (const ref of refs) {
        const entry = entryOf(store, store.resolve(ref));
        const written = exportToTensorBoard(entry, args.tensorboard);
        out(`Wrote ${shownPath(written.file)} (${written.events} events, ${Math.ceil(written.bytes / 1024)} KB)`);
      }
      out(`View with: tensorboard --logdir ${args.tensorboard}`);
      return 0;
    }
    default:
      throw new UserError(`runs: unknown subcommand "${sub}" (one of ${SUBCOMMANDS.join(', ')}).`, null, SEE_HELP);
  }
}

function entryOf(store: RunStore, dir: string): RunEntry {
  const entry = store.entryAt(dir);
  if (!entry) throw new UserError(`${dir} has no readable run.json: it is not a Model Lens run.`);
  return entry;
}

/** Whether two runs' experiment copies are the same bytes (null when either has none). */
function sameExperiment(a: RunEntry, b: RunEntry): boolean | null {
  if (!a.copy || !b.copy) return null;
  try {
    return fs.readFileSync(path.join(a.dir, a.copy)).equals(fs.readFileSync(path.join(b.dir, b.copy)));
  } catch {
    return null;
  }
}
