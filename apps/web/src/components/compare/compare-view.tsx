'use client';
/** Two to ten runs side by side: config diff, overlaid curves, final metrics. */
import Link from 'next/link';
import { useState } from 'react';
import { PALETTE, SeriesChart } from '~/components/charts/series-chart.tsx';
import { configDiff } from '~/components/compare/flatten.ts';
import { fixed, millions } from '~/components/format/numbers.ts';
import { StatusBadge } from '~/components/runs/status-badge.tsx';
import { api } from '~/trpc/react.tsx';

const CURVES = [
  ['map50', 'mAP@.5'],
  ['map5095', 'mAP@.5:.95'],
  ['total', 'total loss'],
  ['lbox', 'box loss'],
  ['lobj', 'obj loss'],
  ['lcls', 'cls loss'],
  ['ldistill', 'distillation loss'],
  ['lr', 'learning rate'],
] as const;

export function CompareView({ ids }: { ids: string[] }) {
  const query = api.runs.compare.useQuery({ ids });
  const [onlyDiff, setOnlyDiff] = useState(true);
  if (query.error) return <p className="error">{query.error.message}</p>;
  if (!query.data) return <p className="muted">loading…</p>;
  const runs = query.data;
  const diff = configDiff(runs.map((r) => r.run.config));
  const epochSet = [...new Set(runs.flatMap((r) => r.epochs.map((e) => e.epoch)))].sort((a, b) => a - b);
  const series = runs.map((r, i) => ({ key: `r${i}`, label: r.run.name, color: PALETTE[i % PALETTE.length] }));
  const curveData = (metric: string) =>
    epochSet.map((epoch) => {
      const point: Record<string, number | null> = { epoch };
      runs.forEach((r, i) => {
        const e = r.epochs.find((x) => x.epoch === epoch) as Record<string, unknown> | undefined;
        const v = e?.[metric];
        point[`r${i}`] = typeof v === 'number' ? v : null;
      });
      return point;
    });
  return (
    <>
      <h2>Final metrics</h2>
      <table className="grid" data-testid="compare-metrics">
        <thead>
          <tr>
            <th>run</th>
            <th>status</th>
            <th>strategy</th>
            <th className="num">P</th>
            <th className="num">R</th>
            <th className="num">mAP@.5</th>
            <th className="num">mAP@.5:.95</th>
            <th className="num">params (M)</th>
            <th className="num">FLOPs (G)</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r, i) => (
            <tr key={r.run.id}>
              <td>
                <span style={{ color: PALETTE[i % PALETTE.length] }}>■</span> <Link href={`/runs/${encodeURIComponent(r.run.id)}`}>{r.run.name}</Link>
              </td>
              <td>
                <StatusBadge status={r.run.status} />
              </td>
              <td>{r.summary.strategy}</td>
              <td className="num">{fixed(r.result?.precision)}</td>
              <td className="num">{fixed(r.result?.recall)}</td>
              <td className="num">{fixed(r.result?.map50)}</td>
              <td className="num">{fixed(r.result?.map5095)}</td>
              <td className="num">{millions(r.result?.params)}</td>
              <td className="num">{fixed(r.result?.gmacs, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Curves</h2>
      <div className="row">
        {CURVES.map(([metric, title]) => (
          <div className="col" key={metric}>
            <SeriesChart title={title} data={curveData(metric)} series={series} height={220} />
          </div>
        ))}
      </div>
      <h2>
        Config{' '}
        <label className="muted" style={{ fontWeight: 'normal', fontSize: '0.9rem' }}>
          <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} /> only differences
        </label>
      </h2>
      <table className="grid" data-testid="compare-config">
        <thead>
          <tr>
            <th>field</th>
            {runs.map((r) => (
              <th key={r.run.id}>{r.run.name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {diff
            .filter((d) => !onlyDiff || d.differs)
            .map((d) => (
              <tr key={d.key} className={d.differs ? 'diff-changed' : undefined}>
                <td>
                  <code>{d.key}</code>
                </td>
                {d.values.map((v, i) => (
                  <td key={i} style={{ whiteSpace: 'normal', wordBreak: 'break-all' }}>
                    {v}
                  </td>
                ))}
              </tr>
            ))}
        </tbody>
      </table>
    </>
  );
}
