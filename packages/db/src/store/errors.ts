/** The run is not held by this worker any more (lease expired and taken, or never held). */
export class LeaseLostError extends Error {
  constructor(runId: string, workerId: string) {
    super(`run ${runId}: worker ${workerId} no longer holds its lease`);
    this.name = 'LeaseLostError';
  }
}

/** A referenced run/study does not exist, or is in a state that does not allow the operation. */
export class RunStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunStateError';
  }
}
