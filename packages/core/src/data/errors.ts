/** A data problem: always names the file (or record) and what is wrong with it. */
export class DataError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'DataError';
  }
}

export function isDataError(e: unknown): e is DataError {
  return e instanceof Error && e.name === 'DataError' && 'file' in e && 'problem' in e;
}
