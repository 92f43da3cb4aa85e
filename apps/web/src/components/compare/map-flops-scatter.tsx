'use client';
/** mAP@0.5 against FLOPs (GMACs) for every finished run; the compared runs are highlighted. */
import { useRouter } from 'next/navigation';
import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import { api } from '~/trpc/react.tsx';

export function MapFlopsScatter({ highlight }: { highlight: string[] }) {
  const router = useRouter();
  const query = api.runs.scatter.useQuery();
  const points = query.data ?? [];
  const chosen = points.filter((p) => highlight.includes(p.id));
  const others = points.filter((p) => !highlight.includes(p.id));
  return (
    <div className="panel" data-testid="scatter">
      <strong>mAP@0.5 vs FLOPs, all finished runs ({points.length})</strong>
      {points.length === 0 ? (
        <p className="muted">No finished runs yet.</p>
      ) : (
        <ResponsiveContainer width="100%" height={320}>
          <ScatterChart margin={{ top: 8, right: 16, bottom: 16, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ea" />
            <XAxis dataKey="gmacs" type="number" name="GMACs" unit=" G" domain={['auto', 'auto']} />
            <YAxis dataKey="map50" type="number" name="mAP@.5" domain={['auto', 'auto']} width={56} />
            <ZAxis dataKey="name" name="run" />
            <Tooltip cursor={{ strokeDasharray: '3 3' }} />
            <Scatter name="runs" data={others} fill="#868e96" isAnimationActive={false} onClick={(p: { id?: string }) => p.id && router.push(`/runs/${encodeURIComponent(p.id)}`)} />
            <Scatter name="compared" data={chosen} fill="#e8590c" isAnimationActive={false} onClick={(p: { id?: string }) => p.id && router.push(`/runs/${encodeURIComponent(p.id)}`)} />
          </ScatterChart>
        </ResponsiveContainer>
      )}
    </div>
  );
}
