import { UserError } from '../model/userError';
import { parseCliArgs, SEE_HELP, USAGE } from './cliArgs';

// Each command's module is loaded when it runs: tfjs loads only for the commands that need it, so
// `runs` and `report` answer without its start-up.
async function run(argv: string[]): Promise<number> {
  const args = parseCliArgs(argv);
  switch (args.command) {
    case 'summary':
    case 'graph':
      return (await import('./inspectCommand')).inspectCommand(args);
    case 'train':
      return (await import('./trainCommand')).trainCommand(args);
    case 'run':
      return (await import('./runCommand')).runCommand(args);
    case 'schedule':
      return (await import('./scheduleCommand')).scheduleCommand(args);
    case 'runs':
      return (await import('./runsCommand')).runsCommand(args);
    case 'report':
      return (await import('./reportCommand')).reportCommand(args);
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    default:
      throw new UserError(`unknown command "${args.command}".`, null, SEE_HELP);
  }
}

run(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    if (e instanceof UserError) {
      process.stderr.write(`model-lens: error: ${e.format()}\n`);
    } else {
      const err = e instanceof Error ? e : new Error(String(e));
      process.stderr.write(`model-lens: internal error: ${err.message}\n` +
        (process.env.MODEL_LENS_DEBUG ? `${err.stack}\n` : '  (set MODEL_LENS_DEBUG=1 for the stack trace; please report it)\n'));
    }
    process.exitCode = 1;
  },
);
