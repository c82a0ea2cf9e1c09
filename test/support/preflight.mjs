#!/usr/bin/env node
// Before the suite: find the real servers and tools some tests need
// (redis-server, PostgreSQL, Chromium, promtool, nginx, openssl), install Debian's packages when
// running as root, and say clearly what is missing otherwise. In CI a missing one is an error.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

// Debian's server binaries, as test/support/postgresServer.ts looks for them (the tests start their own
// server in a temp dir; as root they run it as the package's `postgres` user).
const postgresFound = () => {
  const base = '/usr/lib/postgresql';
  const bins = process.env.PG_BIN ? [process.env.PG_BIN] : existsSync(base) ? readdirSync(base).map((v) => `${base}/${v}/bin`) : [];
  const hasServer = bins.some((d) => ['postgres', 'initdb'].every((f) => existsSync(`${d}/${f}`)));
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return hasServer && (!asRoot || spawnSync('id', ['-u', 'postgres']).status === 0);
};

const needs = [
  { what: 'redis-server', pkg: 'redis-server', found: () => spawnSync('redis-server', ['--version']).status === 0, for: 'scale-out tests' },
  { what: 'PostgreSQL server (/usr/lib/postgresql/<version>/bin)', pkg: 'postgresql', found: postgresFound, for: 'record-store tests on PostgreSQL and scale-out tests' },
  { what: 'Chromium (/usr/bin/chromium)', pkg: 'chromium', found: () => existsSync('/usr/bin/chromium'), for: 'playground browser tests' },
  { what: 'nginx', pkg: 'nginx', found: () => existsSync('/usr/sbin/nginx') || existsSync('/usr/bin/nginx'), for: 'edge-proxy (TLS termination) tests' },
  { what: 'openssl', pkg: 'openssl', found: () => spawnSync('openssl', ['version']).status === 0, for: 'TLS tests (self-signed certificates)' },
  { what: 'promtool', pkg: 'prometheus', found: () => spawnSync('promtool', ['--version']).status === 0, for: 'Prometheus alert rule tests (test/repo/prometheusRules.test.ts)' },
];

let missing = needs.filter((n) => !n.found());
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (missing.length && isRoot && spawnSync('apt-get', ['--version']).status === 0) {
  const pkgs = missing.map((n) => n.pkg);
  console.log(`preflight: installing ${pkgs.join(', ')} from Debian's packages…`);
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } catch {
    console.log('preflight: apt-get failed');
  }
  missing = needs.filter((n) => !n.found());
}
for (const n of missing) {
  console.log(`preflight: ${n.what} is missing; the ${n.for} need it (install: apt-get install -y ${n.pkg})`);
}
if (missing.length && process.env.CI) {
  console.error('preflight: CI must run every test; failing.');
  process.exit(1);
}

// The throughput benchmark's peer (Hive Gateway over GraphQL Mesh), which test/bench/peer.test.ts starts: its own
// package in bench/peer, installed from its own lock when missing or stale (.ci/run installs it before the suite).
const { installPeer } = await import('../../bench/peer/installPeer.mjs');
if (!installPeer()) {
  console.log('preflight: the benchmark peer (bench/peer) could not be installed; test/bench/peer.test.ts needs it (run: node bench/peer/installPeer.mjs)');
  if (process.env.CI) process.exit(1);
}
