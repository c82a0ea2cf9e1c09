/**
 * Roles, as a table (issue 6, acceptance 1): every mutation of the built
 * schema and every sensitive field, × every role, gives the expected allow or
 * FORBIDDEN — over HTTP, and over SSE and WebSocket for a sample, since the
 * guard is on the schema. A mutation or sensitive field without a row here
 * (or without an entry in the access policy) fails the test. No key and a
 * wrong key are 401. (The constant-time key check is test/unit/keyring.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_POLICY } from '../../src/auth/accessPolicy.js';
import { ROLES, type Role } from '../../src/config.js';
import { buildSchema } from '../../src/graphql/schema.js';
import { startGateway, type GqlBody, type TestGateway } from '../support/gateway.js';

const KEYS: Record<Role, string> = {
  viewer: 'roles-viewer-key-aaaaaaaaaaaa',
  operator: 'roles-operator-key-bbbbbbbbbb',
  admin: 'roles-admin-key-cccccccccccccc',
};
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/**
 * One request per mutation, valid enough to reach its resolver. Allowed
 * roles may still get a business error (NOT_FOUND for a random id): allow
 * means "not FORBIDDEN", and the entry in the audit log says it ran.
 */
const MUTATIONS: Record<string, { query: string; variables?: (role: Role) => Record<string, unknown> }> = {
  startSync: {
    query: `mutation StartSync($in: StartSyncInput!) { startSync(input: $in) { alreadyRunning job { id } } }`,
    variables: (role) => ({ in: { kind: 'PRICE', dryRun: true, scope: { partNumbers: [`ROLES-${role}`] } } }),
  },
  cancelSync: { query: `mutation CancelSync($id: ID!) { cancelSync(id: $id) { id } }`, variables: () => ({ id: randomUUID() }) },
  retrySyncFailures: { query: `mutation RetrySync($id: ID!) { retrySyncFailures(id: $id) { job { id } } }`, variables: () => ({ id: randomUUID() }) },
  scheduleSync: {
    query: `mutation Schedule($in: ScheduleSyncInput!) { scheduleSync(input: $in) { id } }`,
    variables: (role) => ({ in: { kind: 'PRICE', intervalSeconds: 86_400, scope: { partNumbers: [`ROLES-${role}`] } } }),
  },
  removeSyncSchedule: { query: `mutation Unschedule($id: ID!) { removeSyncSchedule(id: $id) }`, variables: () => ({ id: randomUUID() }) },
  placeSupplierOrder: {
    query: `mutation Place($in: PlaceSupplierOrderInput!) { placeSupplierOrder(input: $in) { __typename } }`,
    variables: (role) => ({ in: { idempotencyKey: `roles-${role}-${randomUUID()}`, lines: [{ sku: 'NO-SUCH-PART-1', quantity: 1 }] } }),
  },
  retrySupplierOrder: { query: `mutation RetryOrder($id: ID!) { retrySupplierOrder(id: $id) { id } }`, variables: () => ({ id: randomUUID() }) },
  cancelSupplierOrder: { query: `mutation CancelOrder($id: ID!) { cancelSupplierOrder(id: $id) { id } }`, variables: () => ({ id: randomUUID() }) },
  retryErpOrderExport: { query: `mutation RetryErpExport($id: ID!) { retryErpOrderExport(id: $id) { id } }`, variables: () => ({ id: randomUUID() }) },
  // A link the allow-list refuses (BAD_USER_INPUT, nothing stored): the resolver runs, no job is left behind.
  ingestSocialLink: {
    query: `mutation Ingest($in: IngestSocialLinkInput!) { ingestSocialLink(input: $in) { job { id } } }`,
    variables: (role) => ({ in: { url: `https://example.com/@roles/video/${role.length}000000000000000000` } }),
  },
  updateProductDraft: {
    query: `mutation UpdateDraft($in: UpdateProductDraftInput!) { updateProductDraft(input: $in) { id } }`,
    variables: () => ({ in: { id: randomUUID(), title: 'roles' } }),
  },
  publishProductDraft: {
    query: `mutation PublishDraft($id: ID!, $key: String!) { publishProductDraft(id: $id, idempotencyKey: $key) { product { id } } }`,
    variables: (role) => ({ id: randomUUID(), key: `roles-${role}-${randomUUID()}` }),
  },
  sendProductMessage: {
    query: `mutation SendMessage($in: SendProductMessageInput!) { sendProductMessage(input: $in) { message { id } } }`,
    variables: (role) => ({ in: { to: '+15550001234', productIds: ['999999999'], idempotencyKey: `roles-${role}-${randomUUID()}` } }),
  },
  // An INCREMENTAL refresh of the Shopify mirror (a FULL one on an empty mirror; the twin answers either).
  refreshOrderMirror: { query: `mutation Refresh { refreshOrderMirror(input: { channel: SHOPIFY, mode: INCREMENTAL }) { alreadyRunning job { id } } }` },
};

/** One query per sensitive (non-mutation) field of the access policy. */
const SENSITIVE: Record<string, string> = {
  'Query.auditLog': `{ auditLog(first: 1) { totalCount } }`,
  'UpstreamStatus.baseUrl': `{ upstreams { name baseUrl } }`,
  'Query.m3': `{ m3(program: "MMS200MI", transaction: "LstItmByItm", maxRecords: 1) { nrOfRecords } }`,
};

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway(
    { CROSSDOCK_API_KEYS: ROLES.map((r) => `${r}-client:${r}:${KEYS[r]}`).join(','), ORDER_PLACE_WAIT_MS: '500' },
    { parts: 200, finditparts: { ratePerSecond: 500, burst: 500, perMinute: 30_000 }, bigcommerce: { quota: 5000 }, shopify: { orders: 50 } },
  );
});
afterAll(async () => gw?.close());

const as = (role: Role, query: string, variables?: Record<string, unknown>) => gw.gql(query, variables, { 'x-api-key': KEYS[role] });
const codes = (body: GqlBody) => (body.errors ?? []).map((e) => e.extensions?.code);

async function auditEntries(field: string) {
  const res = await as('admin', `query($op: String) { auditLog(first: 50, operation: $op) { edges { node { client role field outcome errorCode } } } }`, { op: field });
  return (res.body.data?.auditLog as { edges: Array<{ node: { client: string; role: string; field: string; outcome: string; errorCode: string | null } }> }).edges.map((e) => e.node);
}

describe('the table covers the schema', () => {
  const schema = buildSchema();
  const mutations = Object.keys(schema.getMutationType()?.getFields() ?? {}).sort();

  it('every mutation of the built schema has an access-policy entry and a row here', () => {
    expect(mutations.length).toBeGreaterThan(0);
    for (const m of mutations) expect(ACCESS_POLICY[`Mutation.${m}`], `Mutation.${m} has no access-policy entry`).toBeDefined();
    expect(Object.keys(MUTATIONS).sort()).toEqual(mutations);
  });

  it('every sensitive field of the policy exists in the schema and has a row here', () => {
    const sensitive = Object.keys(ACCESS_POLICY).filter((k) => !k.startsWith('Mutation.'));
    expect(Object.keys(SENSITIVE).sort()).toEqual(sensitive.sort());
    for (const key of sensitive) {
      const [type, field] = key.split('.') as [string, string];
      const t = schema.getType(type) as { getFields?: () => Record<string, unknown> } | undefined;
      expect(t?.getFields?.()[field], `${key} is not in the schema`).toBeDefined();
    }
  });
});

describe('mutations × roles', () => {
  for (const [name, fixture] of Object.entries(MUTATIONS)) {
    for (const role of ROLES) {
      const needed = ACCESS_POLICY[`Mutation.${name}`] as Role;
      const allowed = RANK[role] >= RANK[needed];
      it(`${name} as ${role}: ${allowed ? 'allowed' : 'FORBIDDEN'}`, async () => {
        const res = await as(role, fixture.query, fixture.variables?.(role));
        expect(res.status).not.toBe(401);
        if (allowed) {
          expect(codes(res.body)).not.toContain('FORBIDDEN');
          expect(codes(res.body)).not.toContain('UNAUTHENTICATED');
        } else {
          expect(codes(res.body)).toEqual(['FORBIDDEN']);
          expect(res.body.errors?.[0]?.extensions?.requiredRole).toBe(needed);
          expect(res.body.data ?? null).toBeNull();
        }
        // The audit log has the attempt, refused or run.
        const entries = (await auditEntries(name)).filter((e) => e.role === role);
        expect(entries.length).toBeGreaterThan(0);
        expect(entries[0]!.client).toBe(`${role}-client`);
        if (allowed) expect(entries[0]!.outcome).not.toBe('REFUSED');
        else expect(entries[0]).toMatchObject({ outcome: 'REFUSED', errorCode: 'FORBIDDEN' });
      });
    }
  }

  it('a refused mutation changes nothing', async () => {
    const count = async () => {
      const res = await as('admin', `{ syncJobs(first: 200) { totalCount } syncSchedules { id } supplierOrders(first: 1) { totalCount } productDrafts(first: 1) { totalCount } }`);
      const d = res.body.data as { syncJobs: { totalCount: number }; syncSchedules: unknown[]; supplierOrders: { totalCount: number }; productDrafts: { totalCount: number } };
      return { jobs: d.syncJobs.totalCount, schedules: d.syncSchedules.length, orders: d.supplierOrders.totalCount, drafts: d.productDrafts.totalCount };
    };
    const before = await count();
    for (const fixture of Object.values(MUTATIONS)) {
      const res = await as('viewer', fixture.query, fixture.variables?.('viewer'));
      expect(codes(res.body)).toEqual(['FORBIDDEN']);
    }
    expect(await count()).toEqual(before);
  });
});

describe('sensitive fields × roles', () => {
  for (const [key, query] of Object.entries(SENSITIVE)) {
    for (const role of ROLES) {
      const needed = ACCESS_POLICY[key] as Role;
      const allowed = RANK[role] >= RANK[needed];
      it(`${key} as ${role}: ${allowed ? 'allowed' : 'FORBIDDEN'}`, async () => {
        const res = await as(role, query);
        if (allowed) {
          expect(res.body.errors).toBeUndefined();
          expect(res.body.data).toBeTruthy();
        } else {
          expect(codes(res.body)).toContain('FORBIDDEN');
          expect(JSON.stringify(res.body)).not.toContain('127.0.0.1');
        }
      });
    }
  }

  it('viewers still read the rest of an upstream status', async () => {
    const res = await as('viewer', `{ upstreams { name breaker quotaRemaining } }`);
    expect(res.body.errors).toBeUndefined();
  });
});

describe('the guard holds on every transport', () => {
  it('over SSE: a viewer mutation is FORBIDDEN, an operator one runs', async () => {
    const sse = async (role: Role) => {
      const res = await fetch(`${gw.url}/graphql/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': KEYS[role] },
        body: JSON.stringify({ query: `mutation { removeSyncSchedule(id: "${randomUUID()}") }` }),
      });
      const text = await res.text();
      const next = /event: next\s*\ndata: (.*)\n/.exec(text)?.[1];
      return JSON.parse(next ?? '{}') as GqlBody;
    };
    expect(codes(await sse('viewer'))).toEqual(['FORBIDDEN']);
    expect(codes(await sse('operator'))).not.toContain('FORBIDDEN');
  });

  it('over WebSocket: a viewer mutation is FORBIDDEN, an operator one runs', async () => {
    const ws = async (role: Role) => {
      const client = createWsClient({ url: `${gw.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { apiKey: KEYS[role] }, retryAttempts: 0 });
      try {
        return await new Promise<GqlBody>((resolve, reject) => {
          let result: GqlBody = {};
          client.subscribe(
            { query: `mutation { cancelSupplierOrder(id: "${randomUUID()}") { id } }` },
            { next: (v) => (result = v as GqlBody), error: reject, complete: () => resolve(result) },
          );
        });
      } finally {
        await client.dispose();
      }
    };
    expect(codes(await ws('viewer'))).toEqual(['FORBIDDEN']);
    expect(codes(await ws('operator'))).toEqual(['NOT_FOUND']);
  });
});

describe('authentication', () => {
  const post = (headers: Record<string, string>) =>
    fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ __typename }' }) });

  it('no key is 401 UNAUTHENTICATED with a Bearer challenge', async () => {
    const res = await post({});
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect(((await res.json()) as GqlBody).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('a wrong key is 401, in either header, whatever its length or likeness to a real key', async () => {
    const real = KEYS.admin;
    const wrong = [
      `${real.slice(0, -1)}x`,
      `x${real.slice(1)}`,
      `${real}x`,
      real.slice(0, -1),
      real.toUpperCase(),
      'short',
      'k'.repeat(600),
      ` ${real}x `,
    ];
    for (const key of wrong) {
      for (const headers of [{ 'x-api-key': key }, { authorization: `Bearer ${key}` }] as Array<Record<string, string>>) {
        const res = await post(headers);
        expect(res.status, JSON.stringify(headers).slice(0, 60)).toBe(401);
      }
    }
    // …and the right one, either way, is not.
    expect((await post({ 'x-api-key': real })).status).toBe(200);
    expect((await post({ authorization: `Bearer ${real}` })).status).toBe(200);
  });

  it('the other keyed endpoints are 401 without a key; the BigCommerce callbacks are public', async () => {
    for (const path of ['/ready', '/metrics', '/graphql/stream']) expect((await fetch(`${gw.url}${path}`)).status, path).toBe(401);
    // Public, authenticated by their signed payload instead: 401 here is the JWT check, not the key check.
    const load = await fetch(`${gw.url}/bigcommerce/load`, { headers: { accept: 'application/json' } });
    expect(load.status).toBe(401);
    expect(load.headers.get('www-authenticate')).toBeNull();
  });
});
