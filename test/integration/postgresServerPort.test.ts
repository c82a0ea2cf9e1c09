/**
 * The test PostgreSQL server is told a port that was free when asked and
 * released before postgres binds it; another process can take it in between
 * (a full suite once failed on "could not bind IPv4 address … Address already
 * in use"). Before any test holds its URL, the server starts on another port.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { postgresServerAvailable, startPostgresServer, type PostgresServer } from '../support/postgresServer.js';

// The port the first ask is answered with: one this test holds a listener on.
const taken = vi.hoisted(() => ({ port: 0 }));
vi.mock('../support/freePort.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../support/freePort.js')>();
  let asked = 0;
  return { freePort: async () => (asked++ === 0 && taken.port ? taken.port : real.freePort()) };
});

let holder: Server;
let server: PostgresServer | undefined;
beforeAll(async () => {
  // Whatever connects (pg_isready probing the port) is dropped, so the holder closes at the end.
  holder = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const address = holder.address();
  taken.port = typeof address === 'object' && address ? address.port : 0;
});
afterAll(async () => {
  await server?.stop();
  await new Promise((r) => holder.close(r));
});

it.skipIf(!postgresServerAvailable())('a port taken between the ask and the bind: the server starts on another one and answers there', async () => {
  server = await startPostgresServer();
  expect(taken.port).toBeGreaterThan(0);
  expect(server.port).not.toBe(taken.port);
  expect(server.url()).toContain(`:${server.port}/`);
  await server.createDatabase('port_check');
}, 60_000);
