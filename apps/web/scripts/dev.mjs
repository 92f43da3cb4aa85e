#!/usr/bin/env node
/* global process, console, setTimeout */
/**
 * `pnpm dev`: the dashboard (next dev) and one trainer worker (`pnpm trainer worker`) together, each
 * line prefixed with its name. Ctrl-C stops both (the worker checkpoints its run first); if one
 * exits, the other is stopped too. Binds DISTILLERY_HOST (default 127.0.0.1) on PORT (default 3000);
 * another address needs DISTILLERY_TOKEN.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const root = path.resolve(web, '../..');
const host = process.env.DISTILLERY_HOST || '127.0.0.1';
const port = process.env.PORT || '3000';
const loopback = /^(127(\.\d{1,3}){3}|localhost|::1|\[::1\])$/i.test(host);
if (!loopback && !process.env.DISTILLERY_TOKEN) {
  console.error(`dev: DISTILLERY_HOST=${host} is not a loopback address; set DISTILLERY_TOKEN (16+ characters) so the dashboard is not open to everyone.`);
  process.exit(2);
}
const withWorker = !process.argv.includes('--no-worker');

const children = [];
function start(name, command, args, cwd) {
  const child = spawn(command, args, { cwd, env: { ...process.env, DISTILLERY_HOST: host, PORT: port }, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`));
  }
  child.on('exit', (code, signal) => {
    process.stdout.write(`[${name}] exited (${signal ?? code})\n`);
    stopAll(code ?? 1);
  });
  children.push(child);
  return child;
}

let stopping = false;
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  // The worker may need a moment to checkpoint; give up after 30 s.
  const deadline = setTimeout(() => process.exit(code), 30_000);
  deadline.unref();
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.on('exit', r)) : null))).then(() => process.exit(code));
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

start('web', path.join(web, 'node_modules/.bin/next'), ['dev', '-H', host, '-p', port], web);
if (withWorker) start('worker', path.join(root, 'apps/trainer/node_modules/.bin/tsx'), ['src/cli.ts', 'worker'], path.join(root, 'apps/trainer'));
console.log(`dev: dashboard on http://${host.includes(':') ? `[${host}]` : host}:${port}${withWorker ? ', one trainer worker' : ''}`);
