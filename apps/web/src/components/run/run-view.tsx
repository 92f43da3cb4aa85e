'use client';
/** One run: live curves, progress, config, logs, errors, checkpoints and validation images. */
import Link from 'next/link';
import { useEffect } from 'react';
import { SeriesChart } from '~/components/charts/series-chart.tsx';
import { dateTime, duration, fixed, millions } from '~/components/format/numbers.ts';
import { useLiveRun, type LiveRun } from '~/components/run/live-epochs.ts';
import { ValidationImagesPanel } from '~/components/run/validation-images.tsx';
import { DependencyList, WaitingFor } from '~/components/run/waiting-for.tsx';
import { StatusBadge } from '~/components/runs/status-badge.tsx';
import { TERMINAL_STATUSES } from '~/shared/run-statuses.ts';
import { api, type RouterOutputs } from '~/trpc/react.tsx';

type RunDetails = RouterOutputs['runs']['get'];

export function RunView({ initial }: { initial: RunDetails }) {
  const id = initial.run.id;
  const { run: live, epochs, connection } = useLiveRun(id, initial.run as LiveRun);
  const running = !(TERMINAL_STATUSES as readonly string[]).includes(live.status);
  const details = api.runs.get.useQuery({ id }, { initialData: initial, refetchInterval: running ? 5000 : false });
  const logs = api.runs.logs.useQuery({ id }, { refetchInterval: running ? 3000 : false });
  const artifacts = api.artifacts.list.useQuery({ runId: id }, { refetchInterval: running ? 5000 : false });
  // When the live status changes (queued → running → done), fetch the details, log and files again.
  const refetchDetails = details.refetch;
  const refetchLogs = logs.refetch;
  const refetchArtifacts = artifacts.refetch;
  useEffect(() => {
    void refetchDetails();
    void refetchLogs();
    void refetchArtifacts();
  }, [live.status, refetchDetails, refetchLogs, refetchArtifacts]);
  const { run, result, summary, study, dependencies, waitingFor } = details.data;
  const progress = live.progress ?? {};
  const step = typeof progress.step === 'number' ? progress.step : null;
  const steps = typeof progress.steps === 'number' ? progress.steps : null;
  const data = epochs.map((e) => ({ ...e }));

  return (
    <>
      <h1>
        {run.name} <StatusBadge status={live.status} />
      </h1>
      {live.status === 'queued' && waitingFor ? (
        <p>
          <WaitingFor pending={waitingFor} />
        </p>
      ) : null}
      <div className="panel row" data-testid="run-summary">
        <div className="col">
          <div>id <code>{run.id}</code></div>
          <div>preset {run.preset ?? '–'} · model {summary.model} · data {summary.data} · img {summary.img ?? '–'}</div>
          <div>strategy {summary.strategy}{summary.teacher ? ` (teacher ${summary.teacher})` : ''}</div>
          {dependencies.length > 0 ? (
            <div data-testid="run-dependencies">
              depends on <DependencyList dependencies={dependencies} />
            </div>
          ) : null}
          {study ? <div>study <Link href={`/runs?study=${encodeURIComponent(study.id)}`}>{study.name}</Link></div> : null}
        </div>
        <div className="col">
          <div data-testid="run-progress">
            epoch {live.lastEpoch === null ? 0 : live.lastEpoch + 1} / {live.epochsPlanned}
            {step !== null && steps !== null && running ? ` · step ${step}/${steps}` : ''}
            {typeof progress.imagesPerSec === 'number' ? ` · ${progress.imagesPerSec.toFixed(1)} img/s` : ''}
          </div>
          <progress max={Math.max(1, live.epochsPlanned)} value={live.lastEpoch === null ? 0 : live.lastEpoch + 1} style={{ width: '100%' }} />
          <div className="muted">
            host {run.host ?? '–'} · started {dateTime(run.startedAt)} · {duration(details.data.durationSeconds)} · attempts {run.attempts} · live: {connection}
          </div>
        </div>
        <div className="col">
          {result ? (
            <div data-testid="run-result">
              P {fixed(result.precision)} · R {fixed(result.recall)} · mAP@.5 {fixed(result.map50)} · mAP@.5:.95 {fixed(result.map5095)}
              <br />
              params {millions(result.params)} M · {fixed(result.gmacs, 2)} GMACs at {result.img}
            </div>
          ) : (
            <span className="muted">No final results yet.</span>
          )}
        </div>
      </div>
      {live.error || run.error ? (
        <div className="panel error" role="alert" data-testid="run-error">
          <strong>Error</strong>
          <pre style={{ whiteSpace: 'pre-wrap' }}>{live.error ?? run.error}</pre>
        </div>
      ) : null}
      <div className="row">
        <div className="col">
          <SeriesChart
            testId="chart-loss"
            title="Loss components"
            data={data}
            series={[
              { key: 'total', label: 'total' },
              { key: 'lbox', label: 'box' },
              { key: 'lobj', label: 'obj' },
              { key: 'lcls', label: 'cls' },
              { key: 'ldistill', label: 'distill' },
              { key: 'lsparsity', label: 'sparsity' },
            ]}
          />
        </div>
        <div className="col">
          <SeriesChart
            testId="chart-map"
            title="Validation"
            data={data}
            series={[
              { key: 'map50', label: 'mAP@.5' },
              { key: 'map5095', label: 'mAP@.5:.95' },
              { key: 'precision', label: 'P', dashed: true },
              { key: 'recall', label: 'R', dashed: true },
            ]}
          />
        </div>
        <div className="col">
          <SeriesChart testId="chart-lr" title="Learning rate" data={data} series={[{ key: 'lr', label: 'lr' }]} />
        </div>
      </div>
      <div className="row">
        <div className="col">
          <h2>Checkpoints and files</h2>
          <table className="grid" data-testid="artifacts">
            <thead>
              <tr>
                <th>kind</th>
                <th>file</th>
                <th className="num">epoch</th>
                <th className="num">size</th>
                <th>sha256</th>
              </tr>
            </thead>
            <tbody>
              {(artifacts.data ?? []).map((a) => (
                <tr key={a.id}>
                  <td>{a.kind}</td>
                  <td>
                    <a href={a.downloadUrl} download>
                      {a.fileName}
                    </a>
                  </td>
                  <td className="num">{a.epoch ?? '–'}</td>
                  <td className="num">{(a.bytes / 1e6).toFixed(2)} MB</td>
                  <td>
                    <code>{a.sha256.slice(0, 12)}</code>
                  </td>
                </tr>
              ))}
              {artifacts.data?.length === 0 ? (
                <tr>
                  <td colSpan={5} className="muted">
                    None yet.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
          <h2>Config</h2>
          <pre className="code" data-testid="run-config">{JSON.stringify(run.config, null, 2)}</pre>
        </div>
        <div className="col">
          <h2>Log {logs.data?.source ? <span className="muted">({logs.data.source}{logs.data.truncated ? ', tail' : ''})</span> : null}</h2>
          <pre className="logs" data-testid="run-logs">{logs.data?.lines.length ? logs.data.lines.join('\n') : 'No log lines yet.'}</pre>
        </div>
      </div>
      <ValidationImagesPanel runId={id} refresh={running} />
    </>
  );
}
