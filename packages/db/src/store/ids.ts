import { randomBytes } from 'node:crypto';

/**
 * Short, time-ordered ids (`m3k9x2ab-7f2q`): readable in a terminal table, sortable by creation, and
 * unique across machines thanks to the random tail.
 */
export function newId(now = Date.now()): string {
  const time = now.toString(36).padStart(9, '0');
  const tail = BigInt(`0x${randomBytes(5).toString('hex')}`).toString(36).padStart(8, '0').slice(-5);
  return `${time}-${tail}`;
}
