/**
 * Subscriptions over real loopback connections, with the libraries' own
 * clients: GraphQL over SSE at /graphql/stream (graphql-sse, distinct
 * connections mode and single connection mode) and graphql-ws on /graphql.
 * A small catalog (300 parts) synced in pages of 50, each supplier page
 * slowed to 200 ms, gives runs of about 1.5 s with several progress updates.
 *
 * For each transport: a started sync streams its current snapshot, then
 * progress that never goes back, then the final snapshot, then completes;
 * a late subscriber starts from the current snapshot; a finished job gives
 * exactly its final snapshot; `syncJobs` carries a job started after
 * subscribing; an unknown id is NOT_FOUND; no key is refused. Then the
 * transports' own concerns: the rate of updates of a fast job (at most 10 a
 * second however often it changes), tokens bound to their client,
 * queries and mutations with the caller's role, errors as Apollo shapes
 * them, and a gateway close that ends every stream and returns every
 * subscription's iterator.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { buildSchema } from '../../src/graphql/schema.js';
import { createLogger } from '../../src/observability/logger.js';
import { registerSseTransport } from '../../src/server/sseTransport.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

const keyOf = () => `cdk_test_${randomBytes(18).toString('base64url')}`;
const OPERATOR_KEY = keyOf();
const VIEWER_KEY = keyOf();
const ENV = { SYNC_PAGE_SIZE: '50', CROSSDOCK_API_KEYS: `ops:operator:${OPERATOR_KEY},look:viewer:${VIEWER_KEY}` };
/**
 * Generous quotas, and 200 ms on each supplier call (one per page of 50): a
 * run of about 1.5 s whatever else gets faster, long enough to join mid-run
 * and to see several progress updates.
 */
const SANDBOX = {
  parts: 300,
  bigcommerce: { quota: 3000, windowMs: 30_000 },
  finditparts: { ratePerSecond: 100, burst: 100, perMinute: 6000, faults: { latencyMs: 200 } },
};

const START = `mutation { startSync(input: { kind: CATALOG }) { alreadyRunning job { id status } } }`;
const JOB = `query($id: ID!) { syncJob(id: $id) { id status progress { processed total } } }`;
const SUB_JOB = `subscription($id: ID!) { syncJob(id: $id) { id status progress { processed total percent phase } } }`;
const SUB_JOBS = `subscription { syncJobs { id kind status progress { processed total } } }`;

interface JobView {
  id: string;
  kind?: string;
  status: string;
  progress: { processed: number; total: number; percent?: number; phase?: string };
}
interface Result {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

// ------------------------------------------------------------------ clients

/** What graphql-sse's and graphql-ws's clients have in common. */
interface Subscriber {
  subscribe(
    payload: { query: string; variables?: Record<string, unknown> },
    sink: { next(value: never): void; error(error: unknown): void; complete(): void },
  ): () => void;
  dispose(): void | Promise<void>;
}

type Transport = { name: string; client(key?: string | null): Subscriber };

const sseClient = (gw: TestGateway, singleConnection: boolean, key: string | null = gw.key): Subscriber =>
  createSseClient({
    url: `${gw.url}/graphql/stream`,
    // A function: the client writes the stream token into a headers object it is given.
    headers: (): Record<string, string> => (key ? { 'x-api-key': key } : {}),
    singleConnection,
    retryAttempts: 0,
  }) as unknown as Subscriber;

const wsUrl = (gw: TestGateway) => `${gw.url.replace(/^http/, 'ws')}/graphql`;

const wsClient = (gw: TestGateway, key: string | null = gw.key): WsClient =>
  createWsClient({
    url: wsUrl(gw),
    webSocketImpl: WebSocket,
    connectionParams: key ? { apiKey: key } : {},
    retryAttempts: 0,
  });

/** A WebSocket that sends the key in its upgrade headers (Node clients can). */
function wsWithHeaders(headers: Record<string, string>) {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  };
}

const transports = (gw: () => TestGateway): Transport[] => [
  { name: 'SSE, distinct connections', client: (key) => sseClient(gw(), false, key === undefined ? gw().key : key) },
  { name: 'SSE, single connection', client: (key) => sseClient(gw(), true, key === undefined ? gw().key : key) },
  { name: 'WebSocket (graphql-ws)', client: (key) => wsClient(gw(), key === undefined ? gw().key : key) as unknown as Subscriber },
];

// ------------------------------------------------------------------ helpers

interface Received {
  at: number;
  value: Result;
}
interface Run {
  messages: Received[];
  /** Resolves when the subscription completes or errors (never rejects). */
  ended: Promise<{ kind: 'complete' } | { kind: 'error'; error: unknown }>;
  /** Resolves at the first message for which `test` is true. */
  until(test: (value: Result) => boolean, timeoutMs?: number): Promise<Result>;
  stop(): void;
}

function run(client: Subscriber, query: string, variables?: Record<string, unknown>): Run {
  const messages: Received[] = [];
  const waiters: Array<{ test: (v: Result) => boolean; resolve: (v: Result) => void }> = [];
  let finish!: (outcome: { kind: 'complete' } | { kind: 'error'; error: unknown }) => void;
  const ended = new Promise<{ kind: 'complete' } | { kind: 'error'; error: unknown }>((resolve) => (finish = resolve));
  const stop = client.subscribe(variables ? { query, variables } : { query }, {
    next(value: never) {
      const v = value as Result;
      messages.push({ at: Date.now(), value: v });
      for (const w of [...waiters]) {
        if (w.test(v)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(v);
        }
      }
    },
    error: (error) => finish({ kind: 'error', error }),
    complete: () => finish({ kind: 'complete' }),
  });
  return {
    messages,
    ended,
    stop,
    until(test, timeoutMs = 20_000) {
      const seen = messages.find((m) => test(m.value));
      if (seen) return Promise.resolve(seen.value);
      return new Promise<Result>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching message in ${timeoutMs} ms; got ${JSON.stringify(messages.map((m) => m.value)).slice(0, 1000)}`)), timeoutMs);
        waiters.push({ test, resolve: (v) => (clearTimeout(timer), resolve(v)) });
      });
    },
  };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))]);
}

const jobOf = (r: Result, field = 'syncJob') => r.data?.[field] as JobView;

async function startCatalogSync(gw: TestGateway): Promise<string> {
  const res = await gw.gql<{ data: { startSync: { alreadyRunning: boolean; job: { id: string } } } }>(START);
  expect(res.status).toBe(200);
  expect(res.body.data.startSync.alreadyRunning).toBe(false);
  return res.body.data.startSync.job.id;
}

async function jobNow(gw: TestGateway, id: string): Promise<JobView> {
  const res = await gw.gql<{ data: { syncJob: JobView } }>(JOB, { id });
  return res.body.data.syncJob;
}

async function waitForJob(gw: TestGateway, id: string, test: (job: JobView) => boolean, timeoutMs = 30_000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await jobNow(gw, id);
    if (test(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} did not reach the state in time: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

/** The checks every full run of a job satisfies, on any transport. */
function expectWellFormedRun(r: Run, id: string, parts = 300) {
  const jobs = r.messages.map((m) => {
    expect(m.value.errors).toBeUndefined();
    return jobOf(m.value);
  });
  expect(jobs.length).toBeGreaterThanOrEqual(2);
  for (const job of jobs) expect(job.id).toBe(id);
  // Progress never goes back.
  for (let i = 1; i < jobs.length; i++) expect(jobs[i]!.progress.processed).toBeGreaterThanOrEqual(jobs[i - 1]!.progress.processed);
  // Only the last one is final, and it is a success with everything processed.
  for (const job of jobs.slice(0, -1)) expect(['QUEUED', 'RUNNING']).toContain(job.status);
  const last = jobs[jobs.length - 1]!;
  expect(last.status).toBe('SUCCEEDED');
  expect(last.progress.processed).toBe(parts);
  expect(last.progress.total).toBe(parts);
  expect(last.progress.percent).toBe(100);
  // At most 10 updates a second per job (the snapshot and the final one come on top).
  const seconds = (r.messages[r.messages.length - 1]!.at - r.messages[0]!.at) / 1000;
  expect(r.messages.length).toBeLessThanOrEqual(Math.ceil(10 * seconds) + 3);
  return jobs;
}

// -------------------------------------------------------------------- tests

describe('subscriptions over SSE and WebSocket', () => {
  let gw: TestGateway;
  const clients: Subscriber[] = [];
  const track = <C extends Subscriber>(c: C): C => (clients.push(c), c);

  beforeAll(async () => {
    gw = await startGateway(ENV, SANDBOX);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await gw?.close();
  });

  for (const t of transports(() => gw)) {
    describe(t.name, () => {
      let finishedJobId: string;

      it('streams a started sync: current snapshot, progress that never goes back, SUCCEEDED, then completes', async () => {
        const client = track(t.client());
        const id = await startCatalogSync(gw);
        const before = await jobNow(gw, id);
        const r = run(client, SUB_JOB, { id });
        const outcome = await within(r.ended, 30_000, 'the subscription to end');
        expect(outcome).toEqual({ kind: 'complete' });

        const jobs = expectWellFormedRun(r, id);
        // First the job as it stood when subscribing (not a later event only).
        expect(['QUEUED', 'RUNNING']).toContain(jobs[0]!.status);
        expect(jobs[0]!.progress.processed).toBeGreaterThanOrEqual(before.progress.processed);
        expect(jobs[0]!.progress.processed).toBeLessThan(300);
        // Several progress updates in between (pages of 50).
        const distinct = new Set(jobs.map((j) => j.progress.processed));
        expect(distinct.size).toBeGreaterThanOrEqual(3);
        // Nothing after completion.
        const count = r.messages.length;
        await new Promise((resolve) => setTimeout(resolve, 150));
        expect(r.messages.length).toBe(count);
        finishedJobId = id;
      });

      it('gives a late subscriber the current snapshot first, then the rest of the run', async () => {
        const client = track(t.client());
        const id = await startCatalogSync(gw);
        const midRun = await waitForJob(gw, id, (j) => j.status === 'RUNNING' && j.progress.processed > 0);
        expect(midRun.progress.processed).toBeLessThan(300);
        const subscribedAt = Date.now();
        const r = run(client, SUB_JOB, { id });
        const first = jobOf(await r.until(() => true, 5_000));
        // At once, without waiting for the next change.
        expect(r.messages[0]!.at - subscribedAt).toBeLessThan(1_000);
        expect(first.status).toBe('RUNNING');
        expect(first.progress.processed).toBeGreaterThanOrEqual(midRun.progress.processed);
        expect(first.progress.processed).toBeGreaterThan(0);
        expect(await within(r.ended, 30_000, 'the late subscription to end')).toEqual({ kind: 'complete' });
        expectWellFormedRun(r, id);
      });

      it('gives exactly the final snapshot of a finished job, then completes', async () => {
        const client = track(t.client());
        const r = run(client, SUB_JOB, { id: finishedJobId });
        expect(await within(r.ended, 10_000, 'the subscription to a finished job to end')).toEqual({ kind: 'complete' });
        expect(r.messages).toHaveLength(1);
        const job = jobOf(r.messages[0]!.value);
        expect(job).toMatchObject({ id: finishedJobId, status: 'SUCCEEDED', progress: { processed: 300, total: 300, percent: 100, phase: 'DONE' } });
      });

      it('streams syncJobs: a job started (by a mutation on the same transport) after subscribing', async () => {
        const client = track(t.client());
        const all = run(client, SUB_JOBS);
        // The mutation goes over the same transport, as the operator the key names.
        const started = run(client, START);
        expect(await within(started.ended, 10_000, 'the mutation to complete')).toEqual({ kind: 'complete' });
        expect(started.messages).toHaveLength(1);
        expect(started.messages[0]!.value.errors).toBeUndefined();
        const { alreadyRunning, job } = started.messages[0]!.value.data!.startSync as { alreadyRunning: boolean; job: { id: string } };
        expect(alreadyRunning).toBe(false);

        await all.until((v) => jobOf(v, 'syncJobs')?.id === job.id && jobOf(v, 'syncJobs').status === 'SUCCEEDED', 30_000);
        const mine = all.messages.map((m) => jobOf(m.value, 'syncJobs')).filter((j) => j.id === job.id);
        expect(mine.length).toBeGreaterThanOrEqual(2);
        expect(mine.every((j) => j.kind === 'CATALOG')).toBe(true);
        for (let i = 1; i < mine.length; i++) expect(mine[i]!.progress.processed).toBeGreaterThanOrEqual(mine[i - 1]!.progress.processed);
        // syncJobs does not end with a job: it stays open until the client stops it.
        let ended = false;
        void all.ended.then(() => (ended = true));
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(ended).toBe(false);
        all.stop();
      });

      it('answers an unknown job id with NOT_FOUND', async () => {
        const client = track(t.client());
        const r = run(client, SUB_JOB, { id: '00000000-0000-4000-8000-000000000000' });
        const outcome = await within(r.ended, 10_000, 'the subscription to end');
        expect(outcome).toEqual({ kind: 'complete' });
        expect(r.messages).toHaveLength(1);
        const errors = r.messages[0]!.value.errors ?? [];
        expect(errors).toHaveLength(1);
        expect(errors[0]!.extensions?.code).toBe('NOT_FOUND');
        expect(errors[0]!.message).toMatch(/no sync job/);
      });

      it('refuses a client without a key', async () => {
        const client = track(t.client(null));
        const r = run(client, SUB_JOB, { id: finishedJobId });
        const outcome = await within(r.ended, 10_000, 'the refusal');
        expect(r.messages).toHaveLength(0);
        expect(outcome.kind).toBe('error');
        const error = (outcome as { error: { response?: { status: number }; code?: number } }).error;
        if (t.name.startsWith('SSE')) expect(error.response?.status).toBe(401);
        else expect(error.code).toBe(4401);
      });

      it('refuses a wrong key', async () => {
        const client = track(t.client('cdk_not_a_key_at_all_000000'));
        const r = run(client, SUB_JOB, { id: finishedJobId });
        const outcome = await within(r.ended, 10_000, 'the refusal');
        expect(r.messages).toHaveLength(0);
        expect(outcome.kind).toBe('error');
      });

      it('runs queries and mutations with the caller’s role (a viewer may read, not start syncs)', async () => {
        const client = track(t.client(VIEWER_KEY));
        const q = run(client, JOB, { id: finishedJobId });
        await within(q.ended, 10_000, 'the query');
        expect(q.messages).toHaveLength(1);
        expect(jobOf(q.messages[0]!.value)).toMatchObject({ id: finishedJobId, status: 'SUCCEEDED' });

        const m = run(client, START);
        await within(m.ended, 10_000, 'the mutation');
        expect(m.messages).toHaveLength(1);
        expect(m.messages[0]!.value.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      });

      it('answers a bad document with Apollo’s codes, not a transport failure', async () => {
        const client = track(t.client());
        const cases: Array<[string, string]> = [
          ['subscription { syncJob(id: "x") { nope } }', 'GRAPHQL_VALIDATION_FAILED'],
          ['subscription { syncJob(id: ', 'GRAPHQL_PARSE_FAILED'],
        ];
        for (const [query, code] of cases) {
          const r = run(client, query);
          const outcome = await within(r.ended, 10_000, `the answer to ${query}`);
          // graphql-ws sends request errors as an `error` message; graphql-sse as a result.
          const errors =
            outcome.kind === 'error' ? (outcome.error as Array<{ extensions?: Record<string, unknown> }>) : (r.messages[0]?.value.errors ?? []);
          expect(Array.isArray(errors)).toBe(true);
          expect(errors[0]?.extensions?.code).toBe(code);
        }
        // The connection is still good.
        const ok = run(client, JOB, { id: finishedJobId });
        await within(ok.ended, 10_000, 'a query after the errors');
        expect(jobOf(ok.messages[0]!.value).status).toBe('SUCCEEDED');
      });
    });
  }

  describe('WebSocket specifics', () => {
    it('accepts the key in the upgrade headers (X-API-Key or Authorization: Bearer)', async () => {
      for (const headers of [{ 'x-api-key': gw.key }, { authorization: `Bearer ${VIEWER_KEY}` }] as Array<Record<string, string>>) {
        const client = track(createWsClient({ url: wsUrl(gw), webSocketImpl: wsWithHeaders(headers), retryAttempts: 0 }) as unknown as Subscriber);
        const r = run(client, `{ cacheStatus { store } }`);
        expect(await within(r.ended, 10_000, 'the query')).toEqual({ kind: 'complete' });
        expect(r.messages[0]!.value).toEqual({ data: { cacheStatus: { store: 'memory' } } });
      }
    });

    it('refuses a wrong key in the upgrade headers with HTTP 401, before any upgrade', async () => {
      const ws = new WebSocket(wsUrl(gw), 'graphql-transport-ws', { headers: { 'x-api-key': 'wrong-key-wrong-key' } });
      const status = await new Promise<number>((resolve, reject) => {
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => reject(new Error('upgraded with a wrong key')));
        ws.on('error', () => undefined);
      });
      expect(status).toBe(401);
    });

    it('speaks graphql-transport-ws only on /graphql', async () => {
      const ws = new WebSocket(wsUrl(gw), ['graphql-transport-ws']);
      await new Promise<void>((resolve, reject) => {
        ws.on('open', resolve);
        ws.on('error', reject);
      });
      expect(ws.protocol).toBe('graphql-transport-ws');
      // No connection_init with a key: closed 4401 (graphql-ws's client does not retry that).
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      ws.send(JSON.stringify({ type: 'connection_init', payload: {} }));
      expect(await closed).toBe(4401);

      const elsewhere = new WebSocket(`${gw.url.replace(/^http/, 'ws')}/graphql/other`, 'graphql-transport-ws', { headers: { 'x-api-key': gw.key } });
      const status = await new Promise<number>((resolve) => {
        elsewhere.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        elsewhere.on('error', () => undefined);
      });
      expect(status).toBe(404);
    });
  });

  describe('SSE specifics', () => {
    const stream = () => `${gw.url}/graphql/stream`;

    it('refuses a request without a key with 401 UNAUTHENTICATED', async () => {
      const res = await fetch(stream(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: SUB_JOBS }),
      });
      expect(res.status).toBe(401);
      const body = (await res.json()) as Result;
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });

    it('binds a single-connection token to the client that reserved it', async () => {
      const put = await fetch(stream(), { method: 'PUT', headers: { 'x-api-key': gw.key } });
      expect(put.status).toBe(201);
      const token = await put.text();
      expect(token.length).toBeGreaterThan(30);

      // Another client with the token: no such stream, whatever it tries.
      const other = { 'x-api-key': VIEWER_KEY, 'x-graphql-event-stream-token': token };
      const post = await fetch(stream(), {
        method: 'POST',
        headers: { ...other, 'content-type': 'application/json' },
        body: JSON.stringify({ query: SUB_JOBS, extensions: { operationId: 'x1' } }),
      });
      expect(post.status).toBe(404);
      const get = await fetch(stream(), { headers: { ...other, accept: 'text/event-stream' } });
      expect(get.status).toBe(404);
      await get.body?.cancel();

      // Its owner: an operation accepted, then the stream opens and carries it.
      const mine = { 'x-api-key': gw.key, 'x-graphql-event-stream-token': token };
      const accepted = await fetch(stream(), {
        method: 'POST',
        headers: { ...mine, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ cacheStatus { store } }', extensions: { operationId: 'q1' } }),
      });
      expect(accepted.status).toBe(202);
      const ctl = new AbortController();
      const events = await fetch(stream(), { headers: { ...mine, accept: 'text/event-stream' }, signal: ctl.signal });
      expect(events.status).toBe(200);
      expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = events.body!.getReader();
      let text = '';
      while (!text.includes('event: complete')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      ctl.abort();
      expect(text).toContain('"id":"q1"');
      expect(text).toContain('{"data":{"cacheStatus":{"store":"memory"}}}');
    });

    it('serves a query as a one-result event stream in distinct connections mode', async () => {
      const res = await fetch(stream(), {
        method: 'POST',
        headers: { 'x-api-key': gw.key, 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: '{ cacheStatus { store } }' }),
      });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toMatch(/event: next\ndata: \{"data":\{"cacheStatus":\{"store":"memory"\}\}\}\n\n/);
      expect(text).toMatch(/event: complete\n/);
    });
  });
});

describe('update rate', () => {
  it('delivers at most 10 updates a second of a job that changes far more often, on every transport', async () => {
    // A fast run: 2000 parts (a few seconds of it), no delay, quotas out of the way; the job makes ~150 changes a second
    // on a quiet machine.
    const gw = await startGateway(ENV, {
      parts: 2000,
      bigcommerce: { quota: 100_000, windowMs: 30_000 },
      finditparts: { ratePerSecond: 1000, burst: 1000, perMinute: 60_000 },
    });
    const clients = [sseClient(gw, false), sseClient(gw, true), wsClient(gw) as unknown as Subscriber];
    try {
      const events = gw.services.jobs.events;
      const publish = events.publish.bind(events);
      let published = 0;
      let first = 0;
      let last = 0;
      // Each change but the final one is published REPEAT times (the same snapshot: well formed, progress never goes
      // back), so the publisher outpaces the cap however fast the machine runs the job itself: a loaded CI run made
      // 19 changes a second, under the test's own "at least twice the cap".
      const REPEAT = 5;
      events.publish = (job) => {
        const times = ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.status) ? 1 : REPEAT;
        published += times;
        last = Date.now();
        if (!first) first = last;
        for (let i = 0; i < times; i++) publish(job);
      };
      const id = await startCatalogSync(gw);
      const runs = clients.map((c) => run(c, SUB_JOB, { id }));
      const outcomes = await within(Promise.all(runs.map((r) => r.ended)), 60_000, 'the fast run to end');
      // Over the job's own run (its first change to its last), not the start-up around it: a busy
      // machine slows the whole run, and the cap is only tested while the job outpaces it.
      const seconds = Math.max(0.001, (last - first) / 1000);
      expect(outcomes.every((o) => o.kind === 'complete')).toBe(true);
      // The publisher was asked for far more than 10 a second (at least twice the cap)...
      expect(published / seconds).toBeGreaterThan(20);
      for (const r of runs) {
        // ...and each subscriber got at most 10 a second of it (over its own run: expectWellFormedRun), ending with
        // the final one: fewer than were published. Not "a third of them": how many a job publishes a second depends
        // on the machine's speed (27 a second in a loaded full run, where 47 of 123 arrived within the cap), the cap
        // does not.
        expectWellFormedRun(r, id, 2000);
        expect(r.messages.length).toBeLessThan(published);
      }
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
      await gw.close();
    }
  });
});

describe('single-connection reservations', () => {
  it('drops a reservation that is never connected, returning its operations’ iterators', async () => {
    const gw = await startGateway(ENV, { parts: 50 });
    const app = Fastify();
    try {
      // The transport on its own app with a short reservation life (the gateway's is 30 s).
      app.addHook('onRequest', async (request) => {
        request.client = { name: 'ops', role: 'operator' };
      });
      const transport = registerSseTransport(app, { schema: buildSchema(), services: gw.services, logger: createLogger({ level: 'silent' }), reservationTtlMs: 300 });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const stream = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/graphql/stream`;

      const events = gw.services.jobs.events;
      const subscribe = events.subscribe.bind(events);
      let live = 0;
      events.subscribe = (jobId, listener) => {
        live++;
        const unsubscribe = subscribe(jobId, listener);
        return () => {
          live--;
          unsubscribe();
          events.subscribe = subscribe;
        };
      };

      const token = await (await fetch(stream, { method: 'PUT' })).text();
      expect(transport.pendingReservations).toBe(1);
      const posted = await fetch(stream, {
        method: 'POST',
        headers: { 'x-graphql-event-stream-token': token, 'content-type': 'application/json' },
        body: JSON.stringify({ query: SUB_JOBS, extensions: { operationId: 'a' } }),
      });
      expect(posted.status).toBe(202);
      expect(live).toBe(1);

      await within(
        (async () => {
          while (live > 0 || transport.pendingReservations > 0) await new Promise((r) => setTimeout(r, 20));
        })(),
        5_000,
        'the reservation to be dropped',
      );
      // Gone: an operation for it is refused.
      const late = await fetch(stream, {
        method: 'POST',
        headers: { 'x-graphql-event-stream-token': token, 'content-type': 'application/json' },
        body: JSON.stringify({ query: SUB_JOBS, extensions: { operationId: 'b' } }),
      });
      expect(late.status).toBe(404);

      // A reservation that is connected in time stays.
      const kept = await (await fetch(stream, { method: 'PUT' })).text();
      const ctl = new AbortController();
      const open = await fetch(stream, { headers: { 'x-graphql-event-stream-token': kept, accept: 'text/event-stream' }, signal: ctl.signal });
      expect(open.status).toBe(200);
      expect(transport.pendingReservations).toBe(0);
      await new Promise((r) => setTimeout(r, 500));
      expect(transport.openStreams).toBe(1);
      ctl.abort();
    } finally {
      await app.close();
      await gw.close();
    }
  });
});

describe('closing the gateway ends every stream', () => {
  it('ends SSE streams and WebSocket connections and returns every subscription’s iterator', async () => {
    // A long run (40 pages of 300 ms at least), still going when the gateway closes.
    const gw = await startGateway({ SYNC_PAGE_SIZE: '50' }, { parts: 2000, finditparts: { faults: { latencyMs: 300 } } });
    let closed = false;
    try {
      // Count live job-event subscriptions: each subscription's iterator holds one until return().
      const events = gw.services.jobs.events;
      const subscribe = events.subscribe.bind(events);
      let live = 0;
      events.subscribe = (jobId, listener) => {
        live++;
        const unsubscribe = subscribe(jobId, listener);
        let done = false;
        return () => {
          if (!done) live--;
          done = true;
          unsubscribe();
        };
      };

      const id = await startCatalogSync(gw);
      await waitForJob(gw, id, (j) => j.status === 'RUNNING');
      const clients = [sseClient(gw, false), sseClient(gw, true), wsClient(gw) as unknown as Subscriber];
      const runs = clients.flatMap((c) => [run(c, SUB_JOB, { id }), run(c, SUB_JOBS)]);
      // And a single-connection reservation holding a subscription, never connected.
      const stream = `${gw.url}/graphql/stream`;
      const token = await (await fetch(stream, { method: 'PUT', headers: { 'x-api-key': gw.key } })).text();
      const reserved = await fetch(stream, {
        method: 'POST',
        headers: { 'x-api-key': gw.key, 'x-graphql-event-stream-token': token, 'content-type': 'application/json' },
        body: JSON.stringify({ query: SUB_JOBS, extensions: { operationId: 'never-read' } }),
      });
      expect(reserved.status).toBe(202);
      // Every subscription is live: the syncJob ones have their snapshot, and there are seven listeners.
      await Promise.all(runs.filter((_, i) => i % 2 === 0).map((r) => r.until(() => true, 10_000)));
      await within(
        (async () => {
          while (live < 7) await new Promise((r) => setTimeout(r, 20));
        })(),
        10_000,
        'seven live subscriptions',
      );
      expect(live).toBe(7);

      const t0 = Date.now();
      await gw.close();
      closed = true;
      // Well inside the 10 s grace: nothing waited for a stream to end by itself.
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(live).toBe(0);
      // Every client saw its stream go (an error: the server went away, not a completed job).
      const outcomes = await within(Promise.all(runs.map((r) => r.ended)), 10_000, 'every client to notice');
      for (const o of outcomes) expect(o.kind).toBe('error');
      const wsOutcomes = outcomes.slice(4) as Array<{ kind: 'error'; error: { code?: number } }>;
      for (const o of wsOutcomes) expect(o.error.code).toBe(1001);
      await Promise.all(clients.map((c) => c.dispose()));
    } finally {
      if (!closed) await gw.close();
    }
  });
});
