// `model-lens report RUN... -o FILE.html`: recorded runs as one self-contained HTML file. One run is
// the panel as it was (an interrupted one up to its last step, then why it stopped); several are all
// embedded, the first shown, for the panel's overlay of runs.
import { UserError } from '../model/userError';
import { replayMessages } from '../runs/runReplay';
import { SEE_HELP, type CliArgs } from './cliArgs';
import { writeHtmlReport, type EmbeddedRun } from './htmlReport';
import { storeOf } from './runsCommand';
import { shownPath } from './runsTables';

export function reportCommand(args: CliArgs): number {
  if (!args.output) throw new UserError('report: say where with -o FILE.html.', null, SEE_HELP);
  const store = storeOf(args);
  const runs: EmbeddedRun[] = args.positionals.map((ref) => {
    const { entry, messages, stats } = store.read(ref);
    if (stats.badLines > 0) process.stderr.write(`warning: ${entry.id}: skipped ${stats.badLines} line(s) that are not valid messages\n`);
    return { runId: entry.id, file: store.fileOf(entry), name: entry.name, status: entry.status, messages: replayMessages(entry, messages) };
  });
  writeHtmlReport(args.output, runs[0].file, runs[0].messages, runs.length > 1 ? runs : undefined);
  process.stdout.write(`Report of ${runs.map((r) => r.runId).join(', ')} written to ${shownPath(args.output)}\n`);
  return 0;
}
