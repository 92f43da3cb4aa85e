// Worker-thread entry of the TypeScript replicas: registers tsx's loader in this thread (a parent's
// `--import tsx` does not carry its hooks into worker threads reliably), then imports the TS entry.
import { workerData } from 'node:worker_threads';

const { register } = await import('tsx/esm/api');
register();
await import(workerData.entry);
