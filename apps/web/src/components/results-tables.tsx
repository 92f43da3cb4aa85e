'use client';
/** The upstream results tables beside our best matching runs, with CSV / Markdown export. */
import Link from 'next/link';
import { fixed, signed } from '~/components/format/numbers.ts';
import { api, type RouterOutputs } from '~/trpc/react.tsx';

type Table = RouterOutputs['tables']['list'][number];

function digits(metric: string | null): number {
  return metric === 'paramsM' || metric === 'gmacs' || metric === 'cocoMap' ? 2 : 3;
}

function download(fileName: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function ExportButtons({ tableKey }: { tableKey: string }) {
  const utils = api.useUtils();
  const run = async (format: 'csv' | 'markdown') => {
    const out = await utils.tables.export.fetch({ key: tableKey, format });
    download(out.fileName, out.text, format === 'csv' ? 'text/csv' : 'text/markdown');
  };
  return (
    <span className="toolbar" style={{ display: 'inline-flex', margin: 0 }}>
      <button type="button" onClick={() => void run('csv')} data-testid={`export-csv-${tableKey}`}>
        CSV
      </button>
      <button type="button" onClick={() => void run('markdown')} data-testid={`export-md-${tableKey}`}>
        Markdown
      </button>
    </span>
  );
}

function ResultsTableView({ table }: { table: Table }) {
  const metrics = table.columns.filter((c) => c.metric);
  const settings = table.columns.filter((c) => !c.metric);
  return (
    <section className="panel" data-testid={`results-${table.key}`} id={table.key}>
      <div className="toolbar" style={{ justifyContent: 'space-between' }}>
        <h2 style={{ margin: 0 }}>{table.title}</h2>
        <ExportButtons tableKey={table.key} />
      </div>
      <p className="muted">
        Source: {table.source}
        {table.note ? ` ${table.note}` : ''} Ours = the finished run that best matches the row (its preset and overrides; ties: higher mAP@0.5).
      </p>
      <div style={{ overflowX: 'auto' }}>
        <table className="grid">
          <thead>
            <tr>
              <th rowSpan={2}>model</th>
              {settings.map((c) => (
                <th key={c.key} rowSpan={2}>
                  {c.label}
                </th>
              ))}
              {metrics.map((c) => (
                <th key={c.key} colSpan={3} className="num" style={{ textAlign: 'center' }}>
                  {c.label}
                </th>
              ))}
              <th rowSpan={2}>our run (data, img, epochs)</th>
            </tr>
            <tr>
              {metrics.flatMap((c) => [
                <th key={`${c.key}-r`} className="num">ref</th>,
                <th key={`${c.key}-o`} className="num">ours</th>,
                <th key={`${c.key}-d`} className="num">diff</th>,
              ])}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row, i) => (
              <tr key={i}>
                <td>
                  {row.label}
                  {row.preset ? <span className="muted"> [{[row.preset, ...row.overrides].join(' ')}]</span> : null}
                  {row.note ? <div className="muted" style={{ fontSize: '0.8rem', whiteSpace: 'normal' }}>{row.note}</div> : null}
                </td>
                {settings.map((c) => (
                  <td key={c.key}>{row.reference[c.key] ?? '–'}</td>
                ))}
                {metrics.flatMap((c) => {
                  const ref = row.reference[c.key];
                  const d = row.diff[c.key];
                  return [
                    <td key={`${c.key}-r`} className="num">{typeof ref === 'number' ? fixed(ref, digits(c.metric)) : (ref ?? '–')}</td>,
                    <td key={`${c.key}-o`} className="num">{fixed(row.run?.values[c.key], digits(c.metric))}</td>,
                    <td key={`${c.key}-d`} className={`num ${typeof d === 'number' ? (d >= 0 ? 'good' : 'error') : ''}`}>{signed(d, digits(c.metric))}</td>,
                  ];
                })}
                <td>
                  {row.run ? (
                    <>
                      <Link href={`/runs/${encodeURIComponent(row.run.id)}`}>{row.run.name}</Link>{' '}
                      <span className="muted">
                        ({row.run.data}, {row.run.img ?? '?'}, {row.run.epochs ?? '?'} ep)
                      </span>
                    </>
                  ) : row.preset ? (
                    <Link href={`/launch?preset=${encodeURIComponent(row.preset)}`} className="muted">
                      no run yet — launch
                    </Link>
                  ) : (
                    <span className="muted">–</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function ResultsTables() {
  const query = api.tables.list.useQuery();
  if (query.error) return <p className="error">{query.error.message}</p>;
  if (!query.data) return <p className="muted">loading…</p>;
  if (query.data.length === 0) return <p className="muted">No reference tables are available.</p>;
  return (
    <>
      <nav className="toolbar">
        {query.data.map((t) => (
          <a key={t.key} href={`#${t.key}`}>
            {t.title}
          </a>
        ))}
      </nav>
      {query.data.map((t) => (
        <ResultsTableView key={t.key} table={t} />
      ))}
    </>
  );
}
