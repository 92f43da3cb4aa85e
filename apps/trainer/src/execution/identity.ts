import os from 'node:os';

let counter = 0;
/** `host:pid:n`: unique per executing loop, readable in the runs table. */
export function newWorkerId(): string {
  return `${os.hostname()}:${process.pid}:${counter++}`;
}
export const hostName = (): string => os.hostname();
