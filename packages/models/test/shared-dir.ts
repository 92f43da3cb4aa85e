// Where the read-only reference material lives; tests that need it skip cleanly when it is absent.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHARED = process.env.DISTILLERY_SHARED ?? path.resolve(repoRoot, '../shared');
export const GOLDEN = path.join(SHARED, 'golden');
export const HAS_GOLDEN = existsSync(GOLDEN);
