'use client';
/**
 * Try it: drop an image, run a finished run's model in the browser (and its teacher beside it when
 * it was distilled from another run), with boxes, scores and the time each took.
 */
import { useEffect, useRef, useState } from 'react';
import { PALETTE } from '~/components/charts/series-chart.tsx';
import type { BrowserBackend, BrowserDetector, DetectResult } from '~/components/try/browser-detector.ts';
import { api, type RouterOutputs } from '~/trpc/react.tsx';

type ModelOption = RouterOutputs['artifacts']['models'][number];

interface Outcome {
  label: string;
  result?: DetectResult;
  names: string[];
  error?: string;
}

export function TryIt() {
  const models = api.artifacts.models.useQuery();
  const [studentId, setStudentId] = useState('');
  const [teacherId, setTeacherId] = useState('');
  const [backend, setBackend] = useState<BrowserBackend>('webgl');
  const [image, setImage] = useState<HTMLImageElement | null>(null);
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const cache = useRef(new Map<string, BrowserDetector>());
  const list = models.data ?? [];

  useEffect(() => {
    if (!studentId && list[0]) setStudentId(list[0].runId);
  }, [list, studentId]);
  useEffect(() => {
    const student = list.find((m) => m.runId === studentId);
    if (student?.teacher && list.some((m) => m.runId === student.teacher)) setTeacherId(student.teacher);
  }, [studentId, list]);

  function loadFile(file: File | undefined) {
    if (!file) return;
    const img = new Image();
    img.onload = () => setImage(img);
    img.src = URL.createObjectURL(file);
  }

  async function detector(option: ModelOption): Promise<BrowserDetector> {
    const key = `${backend}:${option.url}`;
    const cached = cache.current.get(key);
    if (cached) return cached;
    const { loadBrowserDetector } = await import('~/components/try/browser-detector.ts');
    const d = await loadBrowserDetector(option.url, option.name);
    cache.current.set(key, d);
    return d;
  }

  async function run() {
    if (!image) return;
    const chosen = [studentId, teacherId].filter(Boolean).map((id) => list.find((m) => m.runId === id)).filter((m): m is ModelOption => !!m);
    const results: Outcome[] = [];
    try {
      setBusy(`starting ${backend}…`);
      const { setBackend: useBackend } = await import('~/components/try/browser-detector.ts');
      await useBackend(backend);
    } catch (e) {
      setOutcomes([{ label: backend, names: [], error: (e as Error).message }]);
      setBusy(null);
      return;
    }
    for (const option of chosen) {
      try {
        setBusy(`loading ${option.name}…`);
        const d = await detector(option);
        setBusy(`running ${option.name}…`);
        results.push({ label: `${option.name} (${d.backend})`, result: await d.detect(image), names: d.names });
      } catch (e) {
        results.push({ label: option.name, names: [], error: (e as Error).message });
      }
    }
    setOutcomes(results);
    setBusy(null);
  }

  if (models.isLoading) return <p className="muted">loading…</p>;
  if (list.length === 0) return <p className="muted">No finished run with a checkpoint yet. Train one, then come back.</p>;
  return (
    <>
      <div className="panel toolbar">
        <label>
          model{' '}
          <select value={studentId} onChange={(e) => setStudentId(e.target.value)} aria-label="model">
            {list.map((m) => (
              <option key={m.runId} value={m.runId}>
                {m.name} — {m.model}, {m.strategy}
              </option>
            ))}
          </select>
        </label>
        <label>
          beside it{' '}
          <select value={teacherId} onChange={(e) => setTeacherId(e.target.value)} aria-label="second model">
            <option value="">(none)</option>
            {list.map((m) => (
              <option key={m.runId} value={m.runId}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          engine{' '}
          <select value={backend} onChange={(e) => setBackend(e.target.value as BrowserBackend)} aria-label="engine">
            <option value="webgl">WebGL</option>
            <option value="wasm">WASM</option>
            <option value="cpu">CPU (slow)</option>
          </select>
        </label>
        <input type="file" accept="image/*" aria-label="image" onChange={(e) => loadFile(e.target.files?.[0])} />
        <button type="button" className="primary" disabled={!image || busy !== null} onClick={() => void run()}>
          Detect
        </button>
        {busy ? <span className="muted">{busy}</span> : null}
      </div>
      <div
        className="panel muted"
        onDragOver={(e) => e.preventDefault()}
        onDrop={(e) => {
          e.preventDefault();
          loadFile(e.dataTransfer.files[0]);
        }}
      >
        {image ? `${image.naturalWidth}×${image.naturalHeight} image ready — drop another to replace it.` : 'Drop an image here.'}
      </div>
      <div className="row">
        {image
          ? (outcomes.length ? outcomes : [{ label: 'input', names: [] } as Outcome]).map((o) => (
              <div className="col panel" key={o.label}>
                <strong>{o.label}</strong> {o.result ? <span className="muted">{o.result.ms.toFixed(1)} ms · {o.result.detections.length} boxes</span> : null}
                {o.error ? <p className="error">{o.error}</p> : null}
                <svg viewBox={`0 0 ${image.naturalWidth} ${image.naturalHeight}`} style={{ width: '100%' }}>
                  <image href={image.src} width={image.naturalWidth} height={image.naturalHeight} />
                  {(o.result?.detections ?? []).map((d, i) => {
                    const color = PALETTE[d.cls % PALETTE.length];
                    return (
                      <g key={i}>
                        <rect x={d.box[0]} y={d.box[1]} width={d.box[2] - d.box[0]} height={d.box[3] - d.box[1]} fill="none" stroke={color} strokeWidth={2} vectorEffect="non-scaling-stroke" />
                        <text x={d.box[0] + 2} y={d.box[1] + 14} fill={color} fontSize={Math.max(10, image.naturalHeight / 35)}>
                          {o.names[d.cls] ?? d.cls} {d.score.toFixed(2)}
                        </text>
                      </g>
                    );
                  })}
                </svg>
              </div>
            ))
          : null}
      </div>
    </>
  );
}
