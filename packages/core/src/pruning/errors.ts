/** Bad pruning input (ratio outside (0, 1), a threshold that removes everything, an unsupported graph). */
export class PruneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PruneError';
  }
}
