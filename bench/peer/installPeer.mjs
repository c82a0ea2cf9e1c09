#!/usr/bin/env node
/**
 * Installs the throughput benchmark's peer (Hive Gateway and GraphQL Mesh,
 * bench/peer/package.json) into bench/peer/node_modules from its own lock,
 * when it is missing or the lock changed since the last install; otherwise
 * does nothing. The peer is a benchmark's subject, not a part of Crossdock:
 * its ~680 packages (530 MB) stay out of the gateway's `npm install` and out
 * of the image's build stage.
 *
 * Run by bench/peer/startPeer.ts before it starts the peer, by the test
 * preflight (test/support/preflight.mjs) for test/bench/peer.test.ts, and by
 * .ci/run after the gateway's own `npm ci`. Exit 0 when the peer is ready.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const stamp = join(dir, 'node_modules', '.installed-lock-sha256');
const lockSha = createHash('sha256').update(readFileSync(join(dir, 'package-lock.json'))).digest('hex');

export function peerInstalled() {
  return existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === lockSha;
}

export function installPeer() {
  if (peerInstalled()) return true;
  console.log('bench peer: installing Hive Gateway and GraphQL Mesh into bench/peer/node_modules from bench/peer/package-lock.json (npm ci)…');
  // Ten minutes: a clean install from the registry on a slow line, not a hang.
  const res = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit', timeout: 600_000 });
  if (res.status !== 0) {
    console.error(`bench peer: npm ci in ${dir} failed (${res.error?.message ?? `exit ${res.status ?? res.signal}`})`);
    return false;
  }
  writeFileSync(stamp, `${lockSha}\n`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exit(installPeer() ? 0 : 1);
