/**
 * The `snapstart` command's dispatcher: dispatches to one module per subcommand, loaded only when used.
 *
 * @module
 */
/** A subcommand: runs with the arguments after its name and resolves the process exit code. */
export interface Command {
  /** One line for the usage text. */
  readonly summary: string;
  /** Runs the command. */
  run(argv: string[]): Promise<number>;
}

/** Subcommands by name, each loaded on demand so `snapstart --help` stays fast. */
const commands: Record<string, () => Promise<Command>> = {
  simulate: () => import('./simulate.js').then((module) => module.simulateCommand),
  snapshot: () => import('./snapshot.js').then((module) => module.snapshotCommand),
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
  const load = commands[name];
  if (load === undefined) {
    process.stderr.write(`snapstart: unknown command ${JSON.stringify(name)}\n\n${await usage()}\n`);
    return 2;
  }
  return (await load()).run(rest);
}
