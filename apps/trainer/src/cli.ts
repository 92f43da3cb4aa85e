/**
 * `pnpm trainer …`: the headless entry point. Commands live in `./commands/<name>.ts`; this file only
 * builds the program and maps errors to exit codes (bad input → one line on stderr, exit 2).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.ts';
import { UsageError, oneLine } from './errors.ts';

export function buildProgram(): Command {
  const program = new Command('trainer')
    .description('Distillery: train, prune and distil YOLO detectors; queue runs; reproduce the tables.')
    .showHelpAfterError(false)
    .exitOverride();
  registerCommands(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help / --version are "errors" with exit code 0; commander already printed them.
      if (error.exitCode === 0) return 0;
      // commander printed its own one-line message (unknown option, missing argument...).
      return 2;
    }
    process.stderr.write(`error: ${oneLine(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

const isEntry =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (isEntry) {
  // `pnpm trainer …` runs us inside apps/trainer (pnpm exec); paths on the command line are meant from
  // where the user typed it, which pnpm passes as INIT_CWD.
  const packageDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
  const initCwd = process.env.INIT_CWD;
  if (initCwd && process.cwd() === packageDir && initCwd !== packageDir && fs.existsSync(initCwd)) process.chdir(initCwd);
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`error: ${oneLine(error)}\n`);
      process.exit(1);
    },
  );
}
