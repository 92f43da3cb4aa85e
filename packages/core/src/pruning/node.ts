// Pruning, Node half: checkpoint files in, checkpoint files out.
export { pruneCheckpoint, type PruneCheckpointOptions, type PruneCheckpointResult, type PruneSummary } from './prune-checkpoint.ts';
