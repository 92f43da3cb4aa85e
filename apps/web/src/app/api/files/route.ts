/** GET /api/files?path=<relative to the data folder>: validation images and other run files. */
import { env } from '~/env.ts';
import { serveFileInside } from '~/server/files/serve.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(req: Request): Promise<Response> {
  return serveFileInside(env().dataDir, new URL(req.url).searchParams.get('path'));
}
