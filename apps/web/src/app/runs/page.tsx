import { Suspense } from 'react';
import { RunsTable } from '~/components/runs/runs-table.tsx';

export const dynamic = 'force-dynamic';

export default function RunsPage() {
  return (
    <>
      <h1>Runs</h1>
      <p className="muted">Tick two to ten runs to compare them.</p>
      <Suspense fallback={<p className="muted">loading…</p>}>
        <RunsTable selectable />
      </Suspense>
    </>
  );
}
