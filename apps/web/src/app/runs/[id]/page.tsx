import { TRPCError } from '@trpc/server';
import { notFound } from 'next/navigation';
import { RunView } from '~/components/run/run-view.tsx';
import { serverApi } from '~/trpc/server.ts';

export const dynamic = 'force-dynamic';

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const api = await serverApi();
  try {
    const initial = await api.runs.get({ id: decodeURIComponent(id) });
    return <RunView initial={initial} />;
  } catch (error) {
    if (error instanceof TRPCError && (error.code === 'NOT_FOUND' || error.code === 'BAD_REQUEST')) notFound();
    throw error;
  }
}
