// Worker-thread entry for TypeScript replicas when the parent was not started through tsx (e.g. under
// Vitest): registers tsx's loader in this thread, then imports the TypeScript entry.
import { workerData } from 'node:worker_threads';

if (!workerData.tsxLoaded) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
