/**
 * Run dependencies on the dashboard: the runs a run needs (its teacher or `weights` run), and why a
 * queued run has not started: the dependencies that are not done yet, or, when none, that no worker has
 * picked it up (workers are `pnpm trainer worker`).
 */
import Link from 'next/link';
import type { RunDependency } from '@distillery/db';
import { StatusBadge } from '~/components/runs/status-badge.tsx';

/** Each dependency with its status; a deleted one (no status) is named, not linked. */
export function DependencyList({ dependencies }: { dependencies: readonly RunDependency[] }) {
  return dependencies.map((d, i) => (
    <span key={d.runId}>
      {i > 0 ? ', ' : ''}
      {d.status === null ? <code>{d.runId}</code> : <Link href={`/runs/${encodeURIComponent(d.runId)}`}>{d.name ?? d.runId}</Link>}{' '}
      <StatusBadge status={d.status ?? 'deleted'} />
    </span>
  ));
}

export function WaitingFor({ pending, compact = false }: { pending: readonly RunDependency[]; compact?: boolean }) {
  return (
    <span className="muted" data-testid="waiting-for">
      {pending.length > 0 ? (
        <>
          waiting for <DependencyList dependencies={pending} />
        </>
      ) : (
        <>waiting for a free worker{compact ? '' : <> (start one with <code>pnpm trainer worker</code>)</>}</>
      )}
    </span>
  );
}
