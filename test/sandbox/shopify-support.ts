/**
 * Shared by the Shopify simulator's contract tests: a sandbox on ephemeral
 * ports, a GraphQL client for its Admin API and a JSON client for its admin
 * routes, over real HTTP. Expectations are written from upstreams.md
 * ("Shopify") and checked on the wire, never against the sandbox's types.
 */
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import type { SandboxOptionsInput } from '../../src/sandbox/options.js';
import { startSandbox } from '../support/sandbox.js';

/** Wire bodies are checked field by field, not typed with the sandbox's own types. */
export type Json = any;

export const TOKEN = 'sandbox-shopify-token';
export const SECRET = 'sandbox-shopify-secret';
export const VERSION = '2025-10';

export interface Answer {
  status: number;
  headers: Headers;
  body: Json;
}

export interface Shop {
  sandbox: Sandbox;
  /** The shop's origin (what SHOPIFY_STORE_URL names). */
  url: string;
  endpoint: string;
  /** A GraphQL request with the access token; the whole answer. */
  gql(query: string, variables?: Record<string, unknown>, init?: { token?: string | null; version?: string }): Promise<Answer>;
  /** `data` of a request that must succeed (no errors). */
  data(query: string, variables?: Record<string, unknown>): Promise<Json>;
  admin(path: string, body?: unknown): Promise<Answer>;
  /** Gives the bucket room again, so a test's own queries are never throttled unless it wants them to be. */
  refill(): Promise<void>;
  close(): Promise<void>;
}

export async function startShop(input: SandboxOptionsInput = {}): Promise<Shop> {
  const sandbox = await startSandbox({ parts: 300, seed: 7, ...input, shopify: { orders: 400, bulkStartDelayMs: 50, ...input.shopify } });
  const url = sandbox.shopify.url;
  const endpoint = `${url}/admin/api/${VERSION}/graphql.json`;
  async function gql(query: string, variables?: Record<string, unknown>, init: { token?: string | null; version?: string } = {}): Promise<Answer> {
    const token = init.token === undefined ? TOKEN : init.token;
    const res = await fetch(init.version ? `${url}/admin/api/${init.version}/graphql.json` : endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { 'x-shopify-access-token': token } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }
  async function admin(path: string, body?: unknown): Promise<Answer> {
    const res = await fetch(`${url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: Json = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* a text body */
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }
  async function data(query: string, variables?: Record<string, unknown>): Promise<Json> {
    const a = await gql(query, variables);
    if (a.status !== 200 || a.body.errors) throw new Error(`GraphQL failed: HTTP ${a.status} ${JSON.stringify(a.body.errors ?? a.body)}`);
    return a.body.data;
  }
  return {
    sandbox,
    url,
    endpoint,
    gql,
    data,
    admin,
    refill: async () => {
      await admin('/__sandbox/limits', { currentlyAvailable: 1_000_000 });
    },
    close: () => sandbox.close(),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `read` until `done` or the deadline; returns the last value. */
export async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last: ${JSON.stringify(last).slice(0, 500)}`);
    await sleep(intervalMs);
    last = await read();
  }
  return last;
}

/** Every order of the shop through `orders` pages of `first` (bucket refilled between pages). */
export async function allOrders(shop: Shop, selection: string, args = '', first = 100): Promise<Json[]> {
  const out: Json[] = [];
  let after: string | null = null;
  for (let page = 0; page < 1_000; page++) {
    await shop.refill();
    const d: Json = await shop.data(`query($after: String) { orders(first: ${first}, after: $after${args ? `, ${args}` : ''}) { edges { cursor node { ${selection} } } pageInfo { hasNextPage endCursor } } }`, { after });
    out.push(...d.orders.edges.map((e: Json) => e.node));
    if (!d.orders.pageInfo.hasNextPage) return out;
    after = d.orders.pageInfo.endCursor;
  }
  throw new Error('more than 1000 pages');
}

/** One request a webhook receiver got: the raw body as sent, and its headers. */
export interface Received {
  path: string;
  headers: Record<string, string>;
  raw: string;
  body: Json;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** The status to answer with, per request (default 200). */
  answer: (r: Received) => number | 'hang';
  close(): Promise<void>;
}

/** An HTTP endpoint on loopback that records what it is sent (a stand-in for the gateway's webhook route). */
export async function startReceiver(): Promise<Receiver> {
  const { createServer } = await import('node:http');
  const received: Received[] = [];
  const hung = new Set<import('node:http').ServerResponse>();
  const receiver: Receiver = { url: '', received, answer: () => 200, close: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Json = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        /* not JSON */
      }
      const r: Received = { path: req.url ?? '', headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), raw, body };
      received.push(r);
      const status = receiver.answer(r);
      if (status === 'hang') {
        hung.add(res);
        return;
      }
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as import('node:net').AddressInfo;
  receiver.url = `http://127.0.0.1:${address.port}`;
  receiver.close = async () => {
    for (const res of hung) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}

/** Registers a webhook subscription through the Admin API. */
export async function subscribe(shop: Shop, topic: string, callbackUrl: string): Promise<Json> {
  const d = await shop.data(
    'mutation($topic: WebhookSubscriptionTopic!, $url: URL!) { webhookSubscriptionCreate(topic: $topic, webhookSubscription: { callbackUrl: $url, format: JSON }) { webhookSubscription { id topic callbackUrl } userErrors { field message } } }',
    { topic, url: callbackUrl },
  );
  return d.webhookSubscriptionCreate;
}
