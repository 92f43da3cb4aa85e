'use client';
/**
 * A run's epochs and status, kept live: the full list once, then the tRPC subscription (server-sent
 * events) adds each new epoch and status change as it is written.
 */
import { useEffect, useState } from 'react';
import { api, type RouterOutputs } from '~/trpc/react.tsx';

type Epoch = RouterOutputs['runs']['epochs'][number];
type LiveEvent = RouterOutputs['runs']['live'] extends AsyncIterable<infer E> ? E : never;
export type LiveRun = { id: string; status: string; progress: Record<string, unknown> | null; lastEpoch: number | null; epochsPlanned: number; error: string | null };

function mergeEpochs(old: Epoch[], added: Epoch[]): Epoch[] {
  if (added.length === 0) return old;
  const byEpoch = new Map(old.map((e) => [e.epoch, e]));
  for (const e of added) byEpoch.set(e.epoch, e);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

/** tracked() events arrive as `{ id, data }`. */
function unwrap(event: unknown): { run: LiveRun; epochs: Epoch[] } | null {
  const e = event as { data?: unknown; run?: unknown };
  const payload = (e && typeof e === 'object' && 'data' in e ? e.data : e) as { run?: LiveRun; epochs?: Epoch[] } | undefined;
  return payload?.run ? { run: payload.run, epochs: payload.epochs ?? [] } : null;
}

export function useLiveRun(runId: string, initialRun: LiveRun) {
  const [run, setRun] = useState<LiveRun>(initialRun);
  const [epochs, setEpochs] = useState<Epoch[]>([]);
  const initial = api.runs.epochs.useQuery({ id: runId });
  useEffect(() => {
    if (initial.data) setEpochs((old) => mergeEpochs(initial.data, old));
  }, [initial.data]);
  const subscription = api.runs.live.useSubscription(
    { id: runId },
    {
      onData(event: LiveEvent) {
        const payload = unwrap(event);
        if (!payload) return;
        setRun(payload.run);
        setEpochs((old) => mergeEpochs(old, payload.epochs));
      },
    },
  );
  return { run, epochs, connection: subscription.status, error: subscription.error };
}
