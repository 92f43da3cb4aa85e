/**
 * Serving a file from the data folder as an HTTP response. Every request goes through
 * `resolveFileInside`: a path outside the folder is a 403, a missing file a 404, never a 500.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { FileMissingError, OutsideDataFolderError, resolveFileInside } from '~/server/files/inside-folder.ts';

const TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
  '.yml': 'text/yaml; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
};

export function jsonError(status: number, message: string): Response {
  return Response.json({ error: { message, httpStatus: status } }, { status });
}

export async function serveFileInside(dataDir: string, requested: string | null, opts: { download?: boolean } = {}): Promise<Response> {
  if (requested === null || requested === '') return jsonError(400, 'missing "path"');
  let file: string;
  try {
    file = await resolveFileInside(dataDir, requested);
  } catch (e) {
    if (e instanceof OutsideDataFolderError) return jsonError(403, e.message);
    if (e instanceof FileMissingError) return jsonError(404, e.message);
    throw e;
  }
  const info = await stat(file);
  const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const headers = new Headers({
    'content-type': type,
    'content-length': String(info.size),
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, max-age=0, must-revalidate',
  });
  if (opts.download || type === 'application/octet-stream') {
    headers.set('content-disposition', `attachment; filename="${path.basename(file).replace(/[^\w.-]/g, '_')}"`);
  }
  const body = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
  return new Response(body, { status: 200, headers });
}
