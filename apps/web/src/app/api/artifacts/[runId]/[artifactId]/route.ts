/** GET /api/artifacts/<runId>/<artifactId>: downloads a run's artifact (checkpoint...). */
import { env } from '~/env.ts';
import { jsonError, serveFileInside } from '~/server/files/serve.ts';
import { getStore } from '~/server/store/open.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(_req: Request, context: { params: Promise<{ runId: string; artifactId: string }> }): Promise<Response> {
  const { runId, artifactId } = await context.params;
  if (!/^\d{1,12}$/.test(artifactId)) return jsonError(400, `artifact id must be a number, got ${JSON.stringify(artifactId)}`);
  const store = await getStore();
  const artifact = (await store.artifacts(runId)).find((a) => a.id === Number(artifactId));
  if (!artifact) return jsonError(404, `run ${JSON.stringify(runId)} has no artifact ${artifactId}`);
  return serveFileInside(env().dataDir, artifact.path, { download: true });
}
