/**
 * The `snapstart` command's dispatcher: dispatches to one module per subcommand.
 *
 * @module
 */
import { simulateCommand } from './simulate.js';
import { snapshotCommand } from './snapshot.js';

/** A subcommand: runs with the arguments after its name and resolves the process exit code. */
export interface Command {
  /** One line for the usage text. */
  readonly summary: string;
  /** Runs the command. */
  run(argv: string[]): Promise<number>;
}

/**
 * Subcommands by name. A loader may import its module lazily; the built-in ones are light (esbuild, the
 * heavy part of `snapshot`, is imported only when it runs) and `--help` needs them all for the
 * summaries, so they are imported statically.
 */
const commands: Record<string, () => Promise<Command>> = {
  simulate: async () => simulateCommand,
  snapshot: async () => snapshotCommand,
  bundle: async () => (await import('./bundle.js')).bundleCommand,
  check: async () => (await import('./check.js')).checkCommand,
};

/** The usage text listing every subcommand. */
export async function usage(): Promise<string> {
  const lines = ['Usage: snapstart <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)} ${(await load()).summary}`);
  lines.push('', 'Run `snapstart <command> --help` for the options of a command.');
  return lines.join('\n');
}

/** Runs the CLI with `argv` (without `node` and the script) and resolves the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${await usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  // An own property only: `constructor`, `toString` or `__proto__` are no commands.
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (load === undefined) {
    process.stderr.write(`snapstart: unknown command ${JSON.stringify(name)}\n\n${await usage()}\n`);
    return 2;
  }
  return (await load()).run(rest);
}
