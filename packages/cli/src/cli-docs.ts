/** docs/cli.md, made from each command's own summary and usage so that the two never disagree. */
import { COMMANDS, loadCommand } from './main.js';

export async function renderCliDocs(): Promise<string> {
  const parts = [
    '# The `mnogate` command',
    '',
    "Generated from each command's `--help` by `npm run docs:cli`; a test fails when it is stale.",
    'Run `npx mnogate <command> --help` for the same text. Exit codes: 0 success, 1 failure (with an',
    '`MNOGATE_ERR_*` code on stderr), 2 a usage error.',
    '',
  ];
  for (const name of COMMANDS) {
    const mod = await loadCommand(name);
    if (!mod) continue;
    parts.push(`## ${name}`, '', mod.summary, '', '```', mod.usage.trimEnd(), '```', '');
  }
  return parts.join('\n');
}
