'use client';
/** A line chart of per-epoch series (recharts), used for losses, lr and mAP curves. */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export const PALETTE = ['#3b5bdb', '#e8590c', '#2b8a3e', '#c2255c', '#7048e8', '#1098ad', '#f08c00', '#5c940d', '#862e9c', '#495057'];

export interface Series {
  key: string;
  label: string;
  color?: string;
  dashed?: boolean;
}

export function SeriesChart(props: { title: string; data: Array<Record<string, number | null | undefined>>; series: Series[]; height?: number; logScale?: boolean; testId?: string }) {
  const visible = props.series.filter((s) => props.data.some((d) => typeof d[s.key] === 'number'));
  return (
    <div className="panel" data-testid={props.testId}>
      <strong>{props.title}</strong>
      {visible.length === 0 ? (
        <p className="muted">No data yet.</p>
      ) : (
        <ResponsiveContainer width="100%" height={props.height ?? 240}>
          <LineChart data={props.data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ea" />
            <XAxis dataKey="epoch" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} />
            <YAxis scale={props.logScale ? 'log' : 'auto'} domain={['auto', 'auto']} width={64} tickFormatter={(v: number) => (Math.abs(v) < 0.01 && v !== 0 ? v.toExponential(1) : String(Number(v.toPrecision(3))))} />
            <Tooltip />
            <Legend />
            {visible.map((s, i) => (
              <Line
                key={s.key}
                dataKey={s.key}
                name={s.label}
                stroke={s.color ?? PALETTE[i % PALETTE.length]}
                strokeDasharray={s.dashed ? '5 3' : undefined}
                dot={props.data.length < 30}
                isAnimationActive={false}
                connectNulls
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      )}
    </div>
  );
}
