/**
 * The `mnogate` command: a table of subcommands, each in its own module under commands/, loaded
 * only when invoked. This package is the only place that reads argv and process.env.
 */
import { isMnogateError } from '@mnogate/core';
import { UsageError } from './args.js';

export interface CommandModule {
  /** One line for `mnogate --help`. */
  readonly summary: string;
  /** The full usage text for `mnogate <command> --help`. */
  readonly usage: string;
  run(argv: string[]): Promise<number>;
}

/** Subcommands in the order `--help` lists them; each is `commands/<name>.ts`. */
export const COMMANDS = [
  'validate',
  'demo',
  'serve',
  'simulate',
  'keys',
  'plan',
  'synth',
  'peer-config',
  'lab',
  'doctor',
  'audit',
] as const;

export async function loadCommand(name: string): Promise<CommandModule | undefined> {
  if (!(COMMANDS as readonly string[]).includes(name)) return undefined;
  try {
    return (await import(`./commands/${name}.js`)) as CommandModule;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String(err).includes(`commands/`)) {
      return undefined; // listed but not built yet
    }
    throw err;
  }
}

async function help(): Promise<string> {
  const lines = ['usage: mnogate <command> [options]', '', 'commands:'];
  for (const name of COMMANDS) {
    const mod = await loadCommand(name);
    if (mod) lines.push(`  ${name.padEnd(12)} ${mod.summary}`);
  }
  lines.push('', 'Run `mnogate <command> --help` for its options. Documentation: docs/cli.md');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${await help()}\n`);
    return name ? 0 : 1;
  }
  const command = await loadCommand(name);
  if (!command) {
    process.stderr.write(`mnogate: unknown command '${name}'\n\n${await help()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`mnogate ${name}: ${err.message}\n`);
      return 2;
    }
    if (isMnogateError(err)) {
      process.stderr.write(`mnogate ${name}: ${err.code}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
