/**
 * Errors the CLI maps to exit codes. A `UsageError` is bad input from the user (unknown preset or
 * option, invalid config, missing file): the CLI prints its message as ONE line on stderr and exits 2,
 * and the command must throw it BEFORE changing anything in the database.
 */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Turns any thrown value into the single line we print. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
