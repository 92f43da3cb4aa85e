/**
 * Before a run continues from a checkpoint we make sure the file is the one we recorded: same size
 * and sha256. A truncated or corrupt file is a clear error (the recorded checkpoint and the run stay as
 * they were); an older intact checkpoint of the run, if any (e.g. a different file), is used instead.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Artifact, RunStore } from '@distillery/db';
import { RESUME_CHECKPOINT_KINDS } from '@distillery/db';

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

export interface ResumePoint {
  path: string;
  /** The epoch the checkpoint was written after (epochs after it are redone). */
  epoch: number | null;
}

export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function problem(artifact: Artifact): string | null {
  if (!fs.existsSync(artifact.path)) return 'file is missing';
  const bytes = fs.statSync(artifact.path).size;
  if (bytes !== artifact.bytes) return `${bytes} bytes on disk, ${artifact.bytes} recorded (truncated or rewritten)`;
  if (sha256File(artifact.path) !== artifact.sha256) return 'sha256 differs from the recorded one (corrupt)';
  return null;
}

/** The newest intact resume checkpoint of a run, null when it has none; throws when all are damaged. */
export async function findResumePoint(store: RunStore, runId: string): Promise<ResumePoint | null> {
  const checkpoints = (await store.artifacts(runId)).filter((a) => RESUME_CHECKPOINT_KINDS.includes(a.kind)).reverse();
  if (checkpoints.length === 0) return null;
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const artifact of checkpoints) {
    // Only the newest record of a path can match the file (it is overwritten each epoch).
    if (seen.has(artifact.path)) continue;
    seen.add(artifact.path);
    const issue = problem(artifact);
    if (issue === null) return { path: artifact.path, epoch: artifact.epoch };
    problems.push(`${artifact.path} (epoch ${artifact.epoch ?? '?'}): ${issue}`);
  }
  throw new CheckpointError(`run ${runId}: no usable checkpoint: ${problems.join('; ')}`);
}
