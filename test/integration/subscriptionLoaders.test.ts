/**
 * A subscription reads fresh data for every event it sends: the fields an
 * event resolves (an order line's part, its stock and price) go through
 * loaders made for that event, not through loaders memoised since the
 * subscription started. Over graphql-sse and graphql-ws, with the real
 * order flow: a supplier order is placed, its supplier status is set through
 * the sandbox, the outbox's polling publishes each change.
 *
 * Between two events the shared entity cache learns a new stock figure for
 * the ordered part (as a refresh from the supplier would write it); the next
 * event must carry it.
 */
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { pollUntil } from '../support/processes.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway(
    { ORDER_PLACE_WAIT_MS: '1500', ORDER_RETRY_STEP_MS: '100', ORDER_POLL_INTERVAL_MS: '100' },
    { parts: 200, finditparts: { ratePerSecond: 500, burst: 500, perMinute: 30_000 }, bigcommerce: { quota: 5000 } },
  );
});
afterAll(async () => gw?.close());

const SUB = `subscription($id: ID!) { orderUpdated(id: $id) { status lines { part { id supplierStock price { amount } } } } }`;
type Event = { orderUpdated: { status: string; lines: Array<{ part: { id: string; supplierStock: number; price: { amount: string } } }> } };

interface Sink {
  next(value: { data?: Event | null; errors?: unknown[] }): void;
  error(error: unknown): void;
  complete(): void;
}
type Subscribe = (payload: { query: string; variables: Record<string, unknown> }, sink: Sink) => () => void;

const transports: Array<{ name: string; open(): { subscribe: Subscribe; dispose(): void } }> = [
  {
    name: 'graphql-sse',
    open: () => {
      const c = createSseClient({ url: `${gw.url}/graphql/stream`, headers: { 'x-api-key': gw.key }, retryAttempts: 0 });
      return { subscribe: c.subscribe.bind(c) as unknown as Subscribe, dispose: () => c.dispose() };
    },
  },
  {
    name: 'graphql-ws',
    open: () => {
      const c = createWsClient({ url: `${gw.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { apiKey: gw.key }, retryAttempts: 0 });
      return { subscribe: c.subscribe.bind(c) as unknown as Subscribe, dispose: () => void c.dispose() };
    },
  },
];

/** Events as they come; `next()` resolves with the next one (bounded: a missing event fails the test, it does not hang it). */
function collect(subscribe: Subscribe, id: string) {
  const queue: Event[] = [];
  const waiters: Array<(e: Event) => void> = [];
  let failure: unknown;
  const ended = new Promise<void>((resolve) => {
    subscribe(
      { query: SUB, variables: { id } },
      {
        next(msg) {
          if (msg.errors || !msg.data) failure = msg.errors ?? 'no data';
          else if (waiters.length) waiters.shift()!(msg.data);
          else queue.push(msg.data);
        },
        error(err) {
          failure = err;
          resolve();
        },
        complete: () => resolve(),
      },
    );
  });
  return {
    ended,
    failure: () => failure,
    next(timeoutMs = 10_000): Promise<Event> {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise<Event>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms (${String(failure ?? '')})`)), timeoutMs);
        waiters.push((e) => {
          clearTimeout(timer);
          resolve(e);
        });
      });
    },
  };
}

async function setSupplierStatus(supplierOrderId: string, status: 'received' | 'processing' | 'shipped') {
  const res = await fetch(`${gw.fipUrl}/__sandbox/orders/${supplierOrderId}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status }) });
  expect(res.status).toBe(200);
}

/** A part the supplier sells one at a time, and its variants (one of them prices and stocks it). */
async function orderablePart(): Promise<{ partId: string; variantIds: string[] }> {
  const res = await gw.gql(`{ searchParts(first: 50) { edges { node { supplierId sellable variants { id quantity minimum } } } } }`);
  expect(res.body.errors).toBeUndefined();
  type Node = { supplierId: string; sellable: boolean; variants: Array<{ id: string; quantity: number; minimum: number }> };
  const found = (res.body.data?.searchParts as { edges: Array<{ node: Node }> }).edges
    .map((e) => e.node)
    .find((n) => n.sellable && (n.variants[0]?.quantity ?? 0) > 5 && n.variants[0]?.minimum === 1);
  if (!found) throw new Error('no orderable part in the first 50');
  return { partId: found.supplierId, variantIds: found.variants.map((v) => v.id) };
}

describe('subscriptions read fresh data for every event', () => {
  for (const transport of transports) {
    it(`orderUpdated over ${transport.name}: the second event carries the stock the cache holds now, not the first event's`, async () => {
      const { partId, variantIds } = await orderablePart();
      const placed = await gw.gql(
        `mutation($in: PlaceSupplierOrderInput!) { placeSupplierOrder(input: $in) { ... on SupplierOrderPlaced { order { id } } } }`,
        { in: { idempotencyKey: `fresh-loaders-${transport.name}`, lines: [{ partId, quantity: 1 }] } },
      );
      expect(placed.body.errors).toBeUndefined();
      const orderId = (placed.body.data?.placeSupplierOrder as { order: { id: string } }).order.id;
      const submitted = await pollUntil(
        async () => (await gw.gql(`query($id: ID!) { supplierOrder(id: $id) { status supplierOrderId } }`, { id: orderId })).body.data?.supplierOrder as { status: string; supplierOrderId: string | null },
        (o) => o.status === 'SUBMITTED' && o.supplierOrderId !== null,
        { timeoutMs: 10_000, what: 'the order to be submitted' },
      );
      // Frozen at "received" until the test moves it.
      await setSupplierStatus(submitted.supplierOrderId!, 'received');

      const client = transport.open();
      try {
        const events = collect(client.subscribe, orderId);
        const first = await events.next();
        expect(first.orderUpdated.status).toBe('SUBMITTED');
        const stockBefore = first.orderUpdated.lines[0]!.part.supplierStock;

        // The shared cache now holds another figure for the part's stock (as a refresh from the supplier writes it).
        const stockNow = stockBefore + 1000;
        await gw.services.sources.stock.prime(new Map(variantIds.map((v) => [v, stockNow])), await gw.services.cache.mark());

        await setSupplierStatus(submitted.supplierOrderId!, 'processing');
        const second = await events.next();
        expect(second.orderUpdated.status).toBe('PROCESSING');
        expect(second.orderUpdated.lines[0]!.part.supplierStock).toBe(stockNow);

        await setSupplierStatus(submitted.supplierOrderId!, 'shipped');
        const last = await events.next();
        expect(last.orderUpdated.status).toBe('SHIPPED');
        await events.ended;
        expect(events.failure()).toBeUndefined();
      } finally {
        client.dispose();
      }
    });
  }
});
