/**
 * The `orderMirror(channel)` subscription over graphql-sse and graphql-ws
 * (the old orders cache's `cached` → `updated` → `done` stream): the state
 * at once, progress while a refresh runs, the state when it ends, then the
 * stream completes.
 */
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';

const ORDERS = 600;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({ ORDER_MIRROR_POLL_MS: '100' }, { parts: 100, shopify: { orders: ORDERS, bulkStartDelayMs: 50, bulkObjectsPerSecond: 1_500 } });
}, 60_000);
afterAll(async () => gw?.close());

interface Sink {
  next(value: unknown): void;
  error(error: unknown): void;
  complete(): void;
}
interface Subscriber {
  subscribe(payload: { query: string }, sink: Sink): () => void;
  dispose(): void | Promise<void>;
}

const transports: Array<{ name: string; client(): Subscriber }> = [
  { name: 'graphql-sse', client: () => createSseClient({ url: `${gw.url}/graphql/stream`, headers: () => ({ 'x-api-key': gw.key }), retryAttempts: 0 }) as unknown as Subscriber },
  { name: 'graphql-ws', client: () => createWsClient({ url: `${gw.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { apiKey: gw.key }, retryAttempts: 0 }) as unknown as Subscriber },
];

type State = { status: string; count: number; refreshing: boolean; lastRefreshedAt: string | null; job: { status: string; progress: { processed: number } } | null };

describe.each(transports)('orderMirror over $name', ({ client }) => {
  it('sends the state at once, progress while a refresh runs, the new state when it ends, then completes', async () => {
    const c = client();
    const states: State[] = [];
    let first!: () => void;
    const gotFirst = new Promise<void>((r) => (first = r));
    const ended = new Promise<'complete' | unknown>((resolve) => {
      c.subscribe(
        { query: `subscription { orderMirror(channel: SHOPIFY) { status count refreshing lastRefreshedAt job { status progress { processed } } } }` },
        {
          next: (v) => {
            const r = v as { data?: { orderMirror: State }; errors?: unknown };
            if (r.errors) resolve(r.errors);
            if (r.data) states.push(r.data.orderMirror);
            first();
          },
          error: (e) => resolve(e),
          complete: () => resolve('complete'),
        },
      );
    });
    const timeout = setTimeout(() => void c.dispose(), 40_000);
    try {
      await gotFirst;
      expect(states[0]?.refreshing).toBe(false);
      const before = states[0] as State;
      const started = await gw.gql(`mutation { refreshOrderMirror(input: { channel: SHOPIFY, mode: FULL }) { job { id } } }`);
      expect(started.body.errors).toBeUndefined();
      expect(await ended).toBe('complete');
      const last = states[states.length - 1] as State;
      expect(last).toMatchObject({ status: 'READY', count: ORDERS, refreshing: false, job: { status: 'SUCCEEDED' } });
      expect(last.lastRefreshedAt).not.toBe(before.lastRefreshedAt);
      // Progress in between: states while it ran.
      const during = states.slice(1, -1);
      expect(during.length).toBeGreaterThan(0);
      expect(during.every((s) => s.refreshing)).toBe(true);
    } finally {
      clearTimeout(timeout);
      await c.dispose();
    }
  }, 60_000);
});
