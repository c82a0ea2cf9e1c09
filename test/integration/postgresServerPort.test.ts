/**
 * The test PostgreSQL server is told a port that was free when asked and
 * released before postgres binds it; another process can take it in between
 * (a full suite once failed on "could not bind IPv4 address … Address already
 * in use"). Before any test holds its URL, the server starts on another port —
 * and a port answered by some other PostgreSQL (another test file's) is not
 * taken for ours.
 */
import { createServer, type Server } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { postgresServerAvailable, startPostgresServer, type PostgresServer } from '../support/postgresServer.js';

// The ports the first asks are answered with, in order: ones this test holds.
const taken = vi.hoisted(() => ({ ports: [] as number[] }));
vi.mock('../support/freePort.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../support/freePort.js')>();
  return { freePort: async () => taken.ports.shift() ?? real.freePort() };
});

let holder: Server;
let holderPort = 0;
let server: PostgresServer | undefined;
const others: PostgresServer[] = [];
beforeAll(async () => {
  // Whatever connects (the readiness probe) is dropped, so the holder closes at the end.
  holder = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const address = holder.address();
  holderPort = typeof address === 'object' && address ? address.port : 0;
});
afterAll(async () => {
  await server?.destroy();
  for (const s of others) await s.destroy();
  await new Promise((r) => holder.close(r));
});

it.skipIf(!postgresServerAvailable())('a port taken between the ask and the bind: the server starts on another one and answers there', async () => {
  taken.ports = [holderPort];
  server = await startPostgresServer();
  expect(holderPort).toBeGreaterThan(0);
  expect(server.port).not.toBe(holderPort);
  expect(server.url()).toContain(`:${server.port}/`);
  await server.createDatabase('port_check');
}, 60_000);

it.skipIf(!postgresServerAvailable())('a port another PostgreSQL holds is not mistaken for its own', async () => {
  const first = await startPostgresServer();
  others.push(first);
  taken.ports = [first.port];
  const second = await startPostgresServer();
  others.push(second);
  expect(second.port).not.toBe(first.port);
  // They are two servers: a database made on the second is not on the first.
  await second.createDatabase('only_on_second');
  const names = async (s: PostgresServer) => {
    const client = new pg.Client({ connectionString: s.url(), connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      return (await client.query<{ datname: string }>('SELECT datname FROM pg_database')).rows.map((r) => r.datname);
    } finally {
      await client.end();
    }
  };
  expect(await names(second)).toContain('only_on_second');
  expect(await names(first)).not.toContain('only_on_second');
}, 90_000);
