/**
 * A run's log: the trainer writes lines to a `.log` file in the run folder (or records it as a `log`
 * artifact). The dashboard shows the tail, read only from inside the data folder.
 */
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Artifact } from '@distillery/db';
import { resolveFileInside } from '~/server/files/inside-folder.ts';

export interface RunLog {
  source: string | null;
  lines: string[];
  truncated: boolean;
}

async function candidates(runDir: string | null, artifacts: Artifact[]): Promise<string[]> {
  const out = artifacts.filter((a) => a.kind === 'log').map((a) => a.path);
  if (runDir) {
    try {
      const names = (await readdir(runDir)).filter((n) => n.endsWith('.log')).sort();
      out.push(...names.map((n) => path.join(runDir, n)));
    } catch {
      // No run folder yet (queued run): no log.
    }
  }
  return out;
}

export async function readRunLog(dataDir: string, runDir: string | null, artifacts: Artifact[], maxBytes = 64 * 1024): Promise<RunLog> {
  for (const candidate of await candidates(runDir, artifacts)) {
    let file: string;
    try {
      file = await resolveFileInside(dataDir, candidate);
    } catch {
      continue;
    }
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const start = Math.max(0, size - maxBytes);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      let lines = buffer.toString('utf8').split(/\r?\n/);
      if (start > 0) lines = lines.slice(1); // the first line was cut in the middle
      if (lines.at(-1) === '') lines.pop();
      return { source: path.relative(dataDir, file), lines, truncated: start > 0 };
    } finally {
      await handle.close();
    }
  }
  return { source: null, lines: [], truncated: false };
}
