/**
 * Artifact downloads serve files from the data folder and nowhere else: the requested path is
 * resolved against the folder, then both are resolved through symlinks, and the result must still
 * lie inside. `..`, absolute paths, NUL bytes and links pointing out are all refused.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export class OutsideDataFolderError extends Error {
  constructor(requested: string) {
    super(`${JSON.stringify(requested)} is not a file inside the data folder`);
    this.name = 'OutsideDataFolderError';
  }
}

export class FileMissingError extends Error {
  constructor(requested: string) {
    super(`${JSON.stringify(requested)}: no such file`);
    this.name = 'FileMissingError';
  }
}

function isWithin(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * Resolves `requested` (relative to `dataDir`, or absolute but inside it, as the run store records
 * artifact paths) to the real path of a regular file inside `dataDir`, or throws.
 */
export async function resolveFileInside(dataDir: string, requested: string): Promise<string> {
  if (requested.length === 0 || requested.includes('\0')) throw new OutsideDataFolderError(requested);
  const root = path.resolve(dataDir);
  const lexical = path.resolve(root, requested);
  if (!isWithin(root, lexical)) throw new OutsideDataFolderError(requested);
  let real: string;
  let realRoot: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(lexical);
  } catch {
    throw new FileMissingError(requested);
  }
  if (!isWithin(realRoot, real)) throw new OutsideDataFolderError(requested);
  const info = await stat(real);
  if (!info.isFile()) throw new FileMissingError(requested);
  return real;
}
