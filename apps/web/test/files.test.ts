/** Downloads serve files inside the data folder only: no `..`, no absolute paths outside, no symlinks out. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileMissingError, OutsideDataFolderError, resolveFileInside } from '~/server/files/inside-folder.ts';
import { serveFileInside } from '~/server/files/serve.ts';

let root: string;
let dataDir: string;
let secret: string;

beforeAll(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'distillery-files-')));
  dataDir = path.join(root, 'data');
  fs.mkdirSync(path.join(dataDir, 'runs', 'r1'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'runs', 'r1', 'last.safetensors'), 'weights');
  fs.writeFileSync(path.join(dataDir, 'runs', 'r1', 'img.jpg'), 'jpeg');
  secret = path.join(root, 'secret.txt');
  fs.writeFileSync(secret, 'top secret');
  // A sibling folder whose name starts like the data folder's ("data-evil" vs "data").
  fs.mkdirSync(path.join(root, 'data-evil'));
  fs.writeFileSync(path.join(root, 'data-evil', 'x.txt'), 'x');
  fs.symlinkSync(secret, path.join(dataDir, 'runs', 'r1', 'link-out.txt'));
  fs.symlinkSync(root, path.join(dataDir, 'dir-link-out'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('resolveFileInside', () => {
  it('resolves relative and absolute paths inside the folder', async () => {
    const inside = path.join(dataDir, 'runs', 'r1', 'last.safetensors');
    expect(await resolveFileInside(dataDir, 'runs/r1/last.safetensors')).toBe(inside);
    expect(await resolveFileInside(dataDir, inside)).toBe(inside);
    expect(await resolveFileInside(dataDir, 'runs/r1/../r1/./last.safetensors')).toBe(inside);
  });

  it.each([
    ['../secret.txt'],
    ['runs/../../secret.txt'],
    ['runs/r1/../../../secret.txt'],
    ['../data-evil/x.txt'],
    ['/etc/passwd'],
    ['runs/r1/link-out.txt'],
    ['dir-link-out/secret.txt'],
    ['runs/r1/last.safetensors\0.jpg'],
    [''],
  ])('refuses %j', async (requested) => {
    await expect(resolveFileInside(dataDir, requested)).rejects.toBeInstanceOf(OutsideDataFolderError);
  });

  it('refuses the absolute path of a file outside', async () => {
    await expect(resolveFileInside(dataDir, secret)).rejects.toBeInstanceOf(OutsideDataFolderError);
  });

  it('reports a missing file or a folder as missing', async () => {
    await expect(resolveFileInside(dataDir, 'runs/r1/nope.bin')).rejects.toBeInstanceOf(FileMissingError);
    await expect(resolveFileInside(dataDir, 'runs/r1')).rejects.toBeInstanceOf(FileMissingError);
  });
});

describe('serveFileInside', () => {
  it('streams a file with its type; binaries as attachments', async () => {
    const img = await serveFileInside(dataDir, 'runs/r1/img.jpg');
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    expect(await img.text()).toBe('jpeg');
    const ckpt = await serveFileInside(dataDir, 'runs/r1/last.safetensors', { download: true });
    expect(ckpt.headers.get('content-disposition')).toBe('attachment; filename="last.safetensors"');
    expect(await ckpt.text()).toBe('weights');
  });

  it('answers traversal with 403, a missing file with 404, no path with 400', async () => {
    expect((await serveFileInside(dataDir, '../secret.txt')).status).toBe(403);
    expect((await serveFileInside(dataDir, 'runs/r1/link-out.txt')).status).toBe(403);
    expect((await serveFileInside(dataDir, '%2e%2e/secret.txt')).status).toBe(404);
    expect((await serveFileInside(dataDir, 'runs/none.jpg')).status).toBe(404);
    expect((await serveFileInside(dataDir, null)).status).toBe(400);
    const body = (await (await serveFileInside(dataDir, '../secret.txt')).json()) as { error: { message: string } };
    expect(body.error.message).toContain('not a file inside the data folder');
  });
});
