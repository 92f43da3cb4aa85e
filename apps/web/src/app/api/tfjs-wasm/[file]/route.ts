/**
 * The tfjs WASM backend's binaries, served by the dashboard itself (the browser never fetches
 * anything from the internet). Only the three known file names are served.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { jsonError } from '~/server/files/serve.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const FILES = new Set(['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']);

/** The app's own dependency, found at run time (`next start` runs in apps/web); never bundled. */
function wasmDir(): string {
  return path.join(process.cwd(), 'node_modules', '@tensorflow', 'tfjs-backend-wasm');
}

export async function GET(_req: Request, context: { params: Promise<{ file: string }> }): Promise<Response> {
  const { file } = await context.params;
  if (!FILES.has(file)) return jsonError(404, `no such tfjs wasm file ${JSON.stringify(file)}`);
  const bytes = await readFile(path.join(wasmDir(), 'dist', file));
  return new Response(new Uint8Array(bytes), { headers: { 'content-type': 'application/wasm', 'cache-control': 'public, max-age=86400' } });
}
