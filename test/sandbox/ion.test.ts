/**
 * Contract tests of the Infor ION API simulator, over real HTTP on loopback.
 * Expectations come from upstreams.md ("Infor ION API / M3 ERP") — the
 * `.ionapi` fields, the token grants, M3 MI REST's all-string records, its
 * options (query and matrix spellings), business errors as HTTP 200 with
 * `nrOfFailedTransactions`, the bulk form — and are checked on the wire, not
 * against the sandbox's own types.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import { resetSandbox, sandboxStats, setFaults, startSandbox } from '../support/sandbox.js';

/** Wire bodies are checked field by field, not typed with the sandbox's own types. */
type Json = any;

let sb: Sandbox;
let origin: string;
let ionapi: Record<string, string>;
let mi: string;
/** Part numbers of the supplier catalog, read from the FinditParts twin (the same seed). */
let partNumbers: string[];
/** The supplier's stock of each part's first variant: what the seeded store holds. */
const supplierStock = new Map<string, number>();

const formBody = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function tokenRequest(fields: Record<string, string>, authorization?: string) {
  const res = await fetch(`${ionapi.pu}${ionapi.ot}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
    body: formBody(fields),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
}

const passwordGrant = () =>
  tokenRequest({ grant_type: 'password', username: ionapi.saak!, password: ionapi.sask!, client_id: ionapi.ci!, client_secret: ionapi.cs! });

let token = '';
async function get(path: string, bearer = token) {
  const res = await fetch(`${mi}${path}`, { headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Json };
}
async function bulk(body: unknown, query = '') {
  const res = await fetch(`${mi}/execute${query}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
}
async function admin(path: string, body?: unknown) {
  const res = await fetch(`${origin}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

beforeAll(async () => {
  sb = await startSandbox({ parts: 400, seed: 11, finditparts: { ratePerSecond: 100_000, burst: 100_000, perMinute: 10_000_000 } });
  origin = sb.ion.url;
  ionapi = (await admin('/__sandbox/ionapi')).body as Record<string, string>;
  mi = `${ionapi.iu}/${ionapi.ti}/M3/m3api-rest/v2`;
  partNumbers = [];
  for (let page = 1; page <= 4; page++) {
    const res = await fetch(`${sb.finditparts.apiBase}/products?page=${page}&per=100`, { headers: { 'x-api-key': sb.options.finditparts.apiKey } });
    for (const p of ((await res.json()) as Json).products) {
      partNumbers.push(p.part_number);
      supplierStock.set(p.part_number, p.variants[0].quantity);
    }
  }
  token = (await passwordGrant()).body.access_token;
});
afterAll(async () => sb?.close());
beforeEach(async () => resetSandbox(origin));

describe('the .ionapi file', () => {
  it('has every field upstreams.md names, pointing at this origin', () => {
    for (const field of ['ti', 'cn', 'ci', 'cs', 'iu', 'pu', 'oa', 'ot', 'or', 'saak', 'sask']) expect(ionapi[field], field).toEqual(expect.any(String));
    expect(ionapi.ti).toBe('SANDBOX');
    expect(ionapi.iu).toBe(origin);
    expect(ionapi.pu).toBe(`${origin}/SANDBOX/as/`);
    expect([ionapi.oa, ionapi.ot, ionapi.or]).toEqual(['authorization.oauth2', 'token.oauth2', 'revoke_token.oauth2']);
  });
});

describe('the token endpoint', () => {
  it('issues a bearer token by the password grant, with the client in the form or in Basic', async () => {
    const inForm = await passwordGrant();
    expect(inForm.status).toBe(200);
    expect(inForm.body).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 7200, refresh_token: expect.any(String) });
    expect(inForm.headers.get('cache-control')).toBe('no-store');
    const inBasic = await tokenRequest({ grant_type: 'password', username: ionapi.saak!, password: ionapi.sask! }, basic(ionapi.ci!, ionapi.cs!));
    expect(inBasic.status).toBe(200);
    expect(inBasic.body.access_token).not.toBe(inForm.body.access_token);
  });

  it('refreshes with the refresh token and Basic ci:cs; the new token works', async () => {
    const first = await passwordGrant();
    const refreshed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, basic(ionapi.ci!, ionapi.cs!));
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.access_token).not.toBe(first.body.access_token);
    expect((await get(`/execute/MMS200MI/GetItmBasic?ITNO=${partNumbers[0]}`, refreshed.body.access_token)).status).toBe(200);
    expect((await admin('/__sandbox/tokens')).body.grants).toEqual({ password: 1, refresh_token: 1 });
  });

  it('refuses bad credentials with RFC 6749 errors', async () => {
    expect(await tokenRequest({ grant_type: 'password', username: ionapi.saak!, password: 'wrong', client_id: ionapi.ci!, client_secret: ionapi.cs! })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const badClient = await tokenRequest({ grant_type: 'password', username: ionapi.saak!, password: ionapi.sask! }, basic(ionapi.ci!, 'nope'));
    expect(badClient.status).toBe(401);
    expect(badClient.body.error).toBe('invalid_client');
    expect(badClient.headers.get('www-authenticate')).toMatch(/^Basic/);
    // Both ways at once is not allowed (RFC 6749 §2.3).
    expect(await tokenRequest({ grant_type: 'password', username: ionapi.saak!, password: ionapi.sask!, client_id: ionapi.ci!, client_secret: ionapi.cs! }, basic(ionapi.ci!, ionapi.cs!))).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await tokenRequest({ grant_type: 'client_credentials', client_id: ionapi.ci!, client_secret: ionapi.cs! })).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
    expect(await tokenRequest({ grant_type: 'refresh_token', refresh_token: 'nope' }, basic(ionapi.ci!, ionapi.cs!))).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('a token that expired or was revoked is a 401 at the API; revoking the refresh token ends its refreshes', async () => {
    expect((await admin('/__sandbox/tokens', { ttlSeconds: 1 })).body.ttlSeconds).toBe(1);
    const short = await passwordGrant();
    expect(short.body.expires_in).toBe(1);
    expect((await get(`/execute/MMS200MI/GetItmBasic?ITNO=${partNumbers[0]}`, short.body.access_token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_100));
    const expired = await get(`/execute/MMS200MI/GetItmBasic?ITNO=${partNumbers[0]}`, short.body.access_token);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    await admin('/__sandbox/tokens', { ttlSeconds: 7200 });

    const live = await passwordGrant();
    const revoke = await fetch(`${ionapi.pu}${ionapi.or}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(ionapi.ci!, ionapi.cs!) },
      body: formBody({ token: live.body.refresh_token, token_type_hint: 'refresh_token' }),
    });
    expect(revoke.status).toBe(200);
    expect((await get(`/execute/MMS200MI/GetItmBasic?ITNO=${partNumbers[0]}`, live.body.access_token)).status).toBe(401);
    expect((await tokenRequest({ grant_type: 'refresh_token', refresh_token: live.body.refresh_token }, basic(ionapi.ci!, ionapi.cs!))).status).toBe(400);
    // Unknown tokens revoke fine too (RFC 7009 §2.2).
    expect((await fetch(`${ionapi.pu}${ionapi.or}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(ionapi.ci!, ionapi.cs!) }, body: formBody({ token: 'never-issued' }) })).status).toBe(200);
  });

  it('the admin route revokes every live token "upstream"', async () => {
    const a = await passwordGrant();
    expect((await admin('/__sandbox/tokens/revoke', {})).body.revoked).toBeGreaterThanOrEqual(1);
    expect((await get(`/execute/MMS200MI/GetItmBasic?ITNO=${partNumbers[0]}`, a.body.access_token)).status).toBe(401);
    expect((await admin('/__sandbox/tokens')).body.rejected).toBe(1);
    // Only access tokens: the refresh token still works.
    expect((await tokenRequest({ grant_type: 'refresh_token', refresh_token: a.body.refresh_token }, basic(ionapi.ci!, ionapi.cs!))).status).toBe(200);
    token = (await passwordGrant()).body.access_token;
  });

  it('an API call without a bearer token is a 401 and runs nothing', async () => {
    const res = await fetch(`${mi}/execute/MMS200MI/GetItmBasic?ITNO=${partNumbers[0]}`);
    expect(res.status).toBe(401);
    expect((await admin('/__sandbox/mi')).body.transactions).toEqual({});
  });
});

describe('M3 MI REST', () => {
  it('answers every value as a string, right-padded unless righttrim, empty fields left out unless excludeempty=false', async () => {
    let found: Json;
    for (const candidate of partNumbers) {
      const r = await get(`/execute/MMS200MI/GetItmBasic?ITNO=${candidate}`);
      if (r.body.nrOfFailedTransactions === 0) {
        found = r;
        break;
      }
    }
    expect(found?.status).toBe(200);
    expect(found.body).toMatchObject({ wasTerminated: false, nrOfSuccessfullTransactions: 1, nrOfFailedTransactions: 0 });
    const record = found.body.results[0].records[0];
    for (const v of Object.values(record)) expect(typeof v).toBe('string');
    expect(found.body.results[0].transaction).toBe('GetItmBasic');
    expect(record.ITNO).toHaveLength(15);
    expect(record.ITNO.trimEnd()).not.toHaveLength(15);
    expect(record.ITDS).toHaveLength(30);
    expect(record.STAT.trim()).toMatch(/^(20|80|90)$/);
    expect(record.LMDT).toMatch(/^20\d{6}$/);
    expect(record.GRWE).toMatch(/^\d+\.\d{6}$/);

    const itemNumber = record.ITNO.trim();
    const trimmed = await get(`/execute/MMS200MI/GetItmBasic?ITNO=${itemNumber}&righttrim=true&returncols=ITNO,ITDS,UNMS`);
    expect(Object.keys(trimmed.body.results[0].records[0])).toEqual(['ITNO', 'ITDS', 'UNMS']);
    expect(trimmed.body.results[0].records[0].ITNO).toBe(itemNumber);

    // Empty fields (a balance's lot BANO) are left out by default, and kept with excludeempty=false.
    const balances = await get(`/execute/MMS060MI/LstBalID?ITNO=${itemNumber}&righttrim=true`);
    if (balances.body.results[0].records.length > 0) {
      expect(balances.body.results[0].records[0].BANO).toBeUndefined();
      const kept = await get(`/execute/MMS060MI/LstBalID?ITNO=${itemNumber}&righttrim=true&excludeempty=false`);
      expect(kept.body.results[0].records[0].BANO).toBe('');
    }
  });

  it('takes options as matrix parameters too, with their spelling (excludempty)', async () => {
    const list = await get(`/execute/MMS200MI/LstItmByItm;maxrecs=3;returncols=ITNO,STAT`);
    expect(list.status).toBe(200);
    const records = list.body.results[0].records;
    expect(records).toHaveLength(3);
    expect(Object.keys(records[0])).toEqual(['ITNO', 'STAT']);
    const sorted = records.map((r: Json) => r.ITNO.trim());
    expect([...sorted].sort()).toEqual(sorted);
    // maxrecs bounds a list; the query form works the same.
    expect((await get(`/execute/MMS200MI/LstItmByItm?maxrecs=7`)).body.results[0].records).toHaveLength(7);
    // Default maxrecs is 100.
    expect((await get(`/execute/MMS200MI/LstItmByItm`)).body.results[0].records).toHaveLength(100);
  });

  it('a business error is HTTP 200 with nrOfFailedTransactions and the errorType and errorField', async () => {
    const mandatory = await get(`/execute/MMS200MI/GetItmBasic`);
    expect(mandatory.status).toBe(200);
    expect(mandatory.body).toMatchObject({ nrOfSuccessfullTransactions: 0, nrOfFailedTransactions: 1 });
    expect(mandatory.body.results[0]).toMatchObject({ transaction: 'GetItmBasic', errorType: 'MandatoryInputFieldNotFound', errorField: 'ITNO', records: [] });
    expect(mandatory.body.results[0].errorMessage).toMatch(/ITNO/);

    const tooLong = await get(`/execute/MMS200MI/GetItmBasic?ITNO=${'X'.repeat(16)}`);
    expect(tooLong.body.results[0]).toMatchObject({ errorType: 'InputFieldTooLong', errorField: 'ITNO' });

    const missing = await get(`/execute/MMS200MI/GetItmBasic?ITNO=ZZ-0000000`);
    expect(missing.status).toBe(200);
    expect(missing.body.results[0]).toMatchObject({ errorType: 'ServerReturnedNOK', errorField: 'ITNO', errorCode: 'WITNO03' });
    expect(missing.body.results[0].errorMessage).toMatch(/does not exist/);

    const company = await get(`/execute/MMS200MI/GetItmBasic?ITNO=${partNumbers[0]}&cono=999`);
    expect(company.body.results[0]).toMatchObject({ errorType: 'ServerReturnedNOK', errorField: 'CONO' });
  });

  it('an unknown program or transaction is a 400', async () => {
    expect((await get(`/execute/MMS200MI/NoSuchThing?ITNO=A`)).status).toBe(400);
    expect((await get(`/execute/XXX999MI/GetItmBasic?ITNO=A`)).status).toBe(400);
    expect((await bulk({ program: 'MMS200MI', transactions: [{ transaction: 'Nope', record: {} }] })).status).toBe(400);
  });

  it('bulk POST execute: one result per transaction, in order, successes and failures counted', async () => {
    const numbers = partNumbers.slice(0, 30);
    const res = await bulk({ program: 'MMS200MI', transactions: [...numbers.map((n) => ({ transaction: 'GetItmBasic', record: { ITNO: n }, selectedColumns: ['ITNO', 'STAT'] })), { transaction: 'GetItmBasic', record: {} }] }, '?righttrim=true');
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(31);
    const failed = res.body.results.filter((r: Json) => r.errorType);
    expect(res.body.nrOfFailedTransactions).toBe(failed.length);
    expect(res.body.nrOfSuccessfullTransactions).toBe(31 - failed.length);
    numbers.forEach((n, i) => {
      const r = res.body.results[i];
      if (!r.errorType) expect(r.records[0]).toEqual({ ITNO: n, STAT: expect.stringMatching(/^\d{2}$/) });
      else expect(r).toMatchObject({ errorField: 'ITNO', errorType: 'ServerReturnedNOK' });
    });
    expect(res.body.results[30]).toMatchObject({ errorType: 'MandatoryInputFieldNotFound', errorField: 'ITNO' });
    // One call, 31 transactions.
    const stats = await sandboxStats(origin);
    expect(stats.endpoints['POST /SANDBOX/M3/m3api-rest/v2/execute']).toBe(1);
    expect((await admin('/__sandbox/mi')).body.transactions['MMS200MI/GetItmBasic']).toBe(31);
  });

  it('items are a share of the supplier catalog, most with the stock the store was seeded with, a share with their own; some are missing', async () => {
    const res = await bulk({ program: 'MMS200MI', transactions: partNumbers.map((n) => ({ transaction: 'GetItmBasic', record: { ITNO: n } })) });
    const present = partNumbers.filter((_, i) => !res.body.results[i].errorType);
    expect(present.length / partNumbers.length).toBeGreaterThan(0.65);
    expect(present.length / partNumbers.length).toBeLessThan(0.95);
    const stock = await bulk({ program: 'MMS060MI', transactions: present.slice(0, 50).map((n) => ({ transaction: 'LstBalID', record: { ITNO: n } })) }, '?righttrim=true');
    const all = stock.body.results.flatMap((r: Json) => r.records);
    expect(all.length).toBeGreaterThan(20);
    for (const b of all) {
      expect(b.WHLO).toMatch(/^DC\d$/);
      expect(Number(b.AVAL)).toBeCloseTo(Number(b.STQT) - Number(b.ALQT), 6);
      expect(b.STQT).toMatch(/^\d+\.\d{6}$/);
    }
    // Most items' available stock is what the seeded store holds (the supplier's); a share differs.
    const same = present.slice(0, 50).filter((n, i) => stock.body.results[i].records.reduce((t: number, b: Json) => t + Number(b.AVAL), 0) === supplierStock.get(n)).length;
    expect(same / 50).toBeGreaterThan(0.55);
    expect(same / 50).toBeLessThan(0.95);
    // Summed per warehouse by LstSumQty.
    const one = present.find((_, i) => stock.body.results[i]?.records.length > 1);
    if (one) {
      const sums = await get(`/execute/MMS060MI/LstSumQty?ITNO=${one}&righttrim=true`);
      const balances = (await get(`/execute/MMS060MI/LstBalID?ITNO=${one}&righttrim=true`)).body.results[0].records;
      for (const s of sums.body.results[0].records) {
        const total = balances.filter((b: Json) => b.WHLO === s.WHLO).reduce((t: number, b: Json) => t + Number(b.STQT), 0);
        expect(Number(s.STQT)).toBeCloseTo(total, 6);
      }
    }
  });

  it('OIS100MI: a batch order is headed, lined, confirmed, and found by CUOR; nothing dedupes', async () => {
    const itno = (await get(`/execute/MMS200MI/LstItmByItm?maxrecs=1&righttrim=true`)).body.results[0].records[0].ITNO;
    const head = await get(`/execute/OIS100MI/AddBatchHead?CUNO=WEBSTORE&ORTP=WEB&CUOR=store-101&righttrim=true`);
    const temp = head.body.results[0].records[0].ORNO;
    expect(temp).toMatch(/^T\d{9}$/);
    expect((await get(`/execute/OIS100MI/Confirm?ORNO=${temp}`)).body.results[0]).toMatchObject({ errorType: 'ServerReturnedNOK', errorField: 'ORNO' });
    expect((await get(`/execute/OIS100MI/AddBatchLine?ORNO=${temp}&ITNO=${itno}&ORQT=2&righttrim=true`)).body.results[0].records[0].PONR).toBe('1');
    expect((await get(`/execute/OIS100MI/AddBatchLine?ORNO=${temp}&ITNO=${itno}`)).body.results[0]).toMatchObject({ errorType: 'MandatoryInputFieldNotFound', errorField: 'ORQT' });
    const confirmed = (await get(`/execute/OIS100MI/Confirm?ORNO=${temp}&righttrim=true`)).body.results[0].records[0];
    expect(confirmed.ORNO).toMatch(/^\d{10}$/);
    expect(confirmed.STAT).toBe('22');
    await get(`/execute/OIS100MI/AddBatchHead?CUNO=WEBSTORE&ORTP=WEB&CUOR=store-101`);
    const found = (await get(`/execute/OIS100MI/LstHead?CUOR=store-101&righttrim=true`)).body.results[0].records;
    expect(found.map((h: Json) => h.ORST)).toEqual(['22', '05']);
    expect((await get(`/execute/OIS100MI/AddBatchHead?CUNO=NOBODY&ORTP=WEB`)).body.results[0]).toMatchObject({ errorField: 'CUNO' });
    await resetSandbox(origin, true);
    expect((await admin('/__sandbox/orders')).body.orders).toEqual([]);
    token = (await passwordGrant()).body.access_token;
  });
});

describe('throttling, faults, stats', () => {
  it('answers 429 with Retry-After over the tenant policy, counted as throttled', async () => {
    await admin('/__sandbox/limits', { requestsPerWindow: 2, windowMs: 60_000, retryAfterSeconds: 3 });
    expect((await get(`/execute/MMS200MI/LstItmByItm?maxrecs=1`)).status).toBe(200);
    expect((await get(`/execute/MMS200MI/LstItmByItm?maxrecs=1`)).status).toBe(200);
    const refused = await get(`/execute/MMS200MI/LstItmByItm?maxrecs=1`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('3');
    expect((await sandboxStats(origin)).throttled).toBe(1);
    await resetSandbox(origin, true);
    token = (await passwordGrant()).body.access_token;
    expect((await get(`/execute/MMS200MI/LstItmByItm?maxrecs=1`)).status).toBe(200);
  });

  it('injects faults on matching paths and counts requests per route', async () => {
    await setFaults(origin, { failNext: { status: 503, count: 1 }, match: { path: 'token\\.oauth2' } });
    expect((await passwordGrant()).status).toBe(503);
    expect((await passwordGrant()).status).toBe(200);
    const stats = await sandboxStats(origin);
    expect(stats.endpoints['POST /SANDBOX/as/token.oauth2']).toBe(2);
    expect(stats.faults['status-503']).toBe(1);
    const doc = await admin('/__sandbox/openapi.json');
    expect(Object.keys(doc.body.paths)).toContain('/SANDBOX/M3/m3api-rest/v2/execute');
  });
});
