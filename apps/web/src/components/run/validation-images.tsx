'use client';
/** Validation images with ground-truth (green, dashed) and predicted (coloured, with score) boxes. */
import { useState } from 'react';
import { PALETTE } from '~/components/charts/series-chart.tsx';
import { api } from '~/trpc/react.tsx';

export function ValidationImagesPanel({ runId, refresh }: { runId: string; refresh: boolean }) {
  const [minScore, setMinScore] = useState(0.25);
  const query = api.artifacts.validationImages.useQuery({ runId }, { refetchInterval: refresh ? 15000 : false });
  const data = query.data;
  if (!data || (data.images.length === 0 && !data.problem)) return null;
  const name = (cls: number) => data.names[cls] ?? String(cls);
  return (
    <div className="panel" data-testid="validation-images">
      <h2 style={{ marginTop: 0 }}>Validation images{data.epoch !== null ? ` (epoch ${data.epoch})` : ''}</h2>
      {data.problem ? <p className="error">{data.problem}</p> : null}
      <label>
        min score <input type="number" min={0} max={1} step={0.05} value={minScore} onChange={(e) => setMinScore(Number(e.target.value))} style={{ width: 70 }} />
      </label>
      <div className="images">
        {data.images.map((img) => (
          <svg key={img.url} viewBox={`0 0 ${img.width} ${img.height}`} style={{ width: '100%', background: '#000' }} role="img" aria-label={img.file}>
            <image href={img.url} width={img.width} height={img.height} />
            {img.gt.map((b, i) => (
              <rect key={`g${i}`} x={b.box[0]} y={b.box[1]} width={b.box[2] - b.box[0]} height={b.box[3] - b.box[1]} fill="none" stroke="#40c057" strokeWidth={2} strokeDasharray="6 3" vectorEffect="non-scaling-stroke" />
            ))}
            {img.pred
              .filter((b) => b.score >= minScore)
              .map((b, i) => {
                const color = PALETTE[b.cls % PALETTE.length];
                return (
                  <g key={`p${i}`}>
                    <rect x={b.box[0]} y={b.box[1]} width={b.box[2] - b.box[0]} height={b.box[3] - b.box[1]} fill="none" stroke={color} strokeWidth={2} vectorEffect="non-scaling-stroke" />
                    <text x={b.box[0] + 2} y={b.box[1] + 12} fill={color} fontSize={Math.max(10, img.height / 40)}>
                      {name(b.cls)} {b.score.toFixed(2)}
                    </text>
                  </g>
                );
              })}
          </svg>
        ))}
      </div>
    </div>
  );
}
