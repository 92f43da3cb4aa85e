import { Suspense } from 'react';
import { CompareView } from '~/components/compare/compare-view.tsx';
import { MapFlopsScatter } from '~/components/compare/map-flops-scatter.tsx';
import { RunsTable } from '~/components/runs/runs-table.tsx';

export const dynamic = 'force-dynamic';

export default async function ComparePage({ searchParams }: { searchParams: Promise<{ ids?: string }> }) {
  const { ids: raw } = await searchParams;
  const ids = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean).slice(0, 10);
  return (
    <>
      <h1>Compare</h1>
      <MapFlopsScatter highlight={ids} />
      {ids.length >= 2 ? (
        <CompareView ids={ids} />
      ) : (
        <>
          <p className="muted">Tick two to ten runs, then follow the compare link under the table.</p>
          <Suspense fallback={null}>
            <RunsTable selectable />
          </Suspense>
        </>
      )}
    </>
  );
}
