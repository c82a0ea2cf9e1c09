/**
 * The test redis-server is told a port that was free when asked and released
 * before redis binds it; another process can take it in between, as it did
 * for PostgreSQL in a full suite (postgresServerPort.test.ts). Before any test
 * holds its URL, the server starts on another port — and a port answered by
 * some other redis-server (another test file's) is not taken for ours.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../support/redisServer.js';

// The ports the first asks are answered with, in order: ones this test holds.
const taken = vi.hoisted(() => ({ ports: [] as number[] }));
vi.mock('../support/freePort.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../support/freePort.js')>();
  return { freePort: async () => taken.ports.shift() ?? real.freePort() };
});

let holder: Server;
let holderPort = 0;
const servers: RedisServer[] = [];
beforeAll(async () => {
  // Whatever connects (redis-cli probing the port) is dropped.
  holder = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const address = holder.address();
  holderPort = typeof address === 'object' && address ? address.port : 0;
});
afterAll(async () => {
  for (const s of servers) await s.destroy();
  await new Promise((r) => holder.close(r));
});

const ping = (port: number) => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim();

it.skipIf(!redisServerAvailable())('a port taken between the ask and the bind: the server starts on another one and answers there', async () => {
  taken.ports = [holderPort];
  const server = await startRedisServer();
  servers.push(server);
  expect(holderPort).toBeGreaterThan(0);
  expect(server.port).not.toBe(holderPort);
  expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
  expect(ping(server.port)).toBe('PONG');
}, 60_000);

it.skipIf(!redisServerAvailable())('a port another redis-server holds is not mistaken for its own', async () => {
  const first = await startRedisServer();
  servers.push(first);
  taken.ports = [first.port];
  const second = await startRedisServer();
  servers.push(second);
  expect(second.port).not.toBe(first.port);
  // Stopping the second leaves the first running: they are two servers.
  await second.stop();
  expect(ping(first.port)).toBe('PONG');
}, 60_000);
