import { LaunchForm } from '~/components/launch/launch-form.tsx';
import { serverApi } from '~/trpc/server.ts';

export const dynamic = 'force-dynamic';

export default async function LaunchPage({ searchParams }: { searchParams: Promise<{ preset?: string }> }) {
  const { preset } = await searchParams;
  const presets = await (await serverApi()).studies.presets();
  return (
    <>
      <h1>Launch</h1>
      <p className="muted">
        Runs are queued; <code>pnpm trainer worker</code> (started by <code>pnpm dev</code>) picks them up. The same fields as the
        trainer&rsquo;s config files, checked by the same schema.
      </p>
      <LaunchForm presets={presets} initialPreset={preset} />
    </>
  );
}
