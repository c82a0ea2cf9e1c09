/**
 * The ION connector's pure parts: its config slice (the `.ionapi` file, its
 * fields as variables, problems that name the field and never a value), the
 * TTL table by path prefix, the allow-list of read transactions, M3 values
 * typed at the edge, what counts as "no such record", and the ERP item rule.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { parseAllowList } from '../../src/connectors/ion/allowList.js';
import { ionConfigSlice } from '../../src/connectors/ion/index.js';
import { isRecordMissing, miError } from '../../src/connectors/ion/m3Errors.js';
import { M3ValueError, decimal, ymd8 } from '../../src/connectors/ion/m3Values.js';
import { SEED_TTLS, parseTtlTable } from '../../src/connectors/ion/ttlTable.js';
import { createErpItemRule } from '../../src/domain/erpItemRule.js';
import { normalizeQuantity, sumQuantities, wholeUnits } from '../../src/domain/quantity.js';
import { createSkuRule } from '../../src/domain/skuRule.js';

const SECRET = 'cs-very-secret-client-secret-1234';
const SASK = 'sask-very-secret-service-key-5678';
const IONAPI = {
  ti: 'ACME_PRD',
  cn: 'crossdock',
  ci: 'ACME_PRD~abc123',
  cs: SECRET,
  iu: 'https://mingle-ionapi.example.com',
  pu: 'https://mingle-sso.example.com:443/ACME_PRD/as/',
  oa: 'authorization.oauth2',
  ot: 'token.oauth2',
  or: 'revoke_token.oauth2',
  saak: 'ACME_PRD#service-account',
  sask: SASK,
};

function ionapiFile(doc: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'crossdock-ionapi-unit-')), 'a.ionapi');
  writeFileSync(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return path;
}

const REAL = {
  CROSSDOCK_API_KEYS: 'ops:admin:aaaaaaaaaaaaaaaaaaaa',
  FINDITPARTS_BASE_URL: 'http://127.0.0.1:1/api/v1',
  FINDITPARTS_API_KEY: 'k',
  BIGCOMMERCE_API_URL: 'http://127.0.0.1:2/stores/abc',
  BIGCOMMERCE_ACCESS_TOKEN: 't',
};

function ionPlan(env: Record<string, string>) {
  return loadConfig({ ...REAL, ...env }).connectors.find((c) => c.name === 'ion')!.plan;
}

function failure(env: Record<string, string>): string {
  try {
    loadConfig({ ...REAL, ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('the ION config slice', () => {
  it('is configured from an .ionapi file', () => {
    expect(ionPlan({ ION_API_FILE: ionapiFile(IONAPI) }).kind).toBe('configured');
  });

  it('is configured from the fields as variables, and the variables override the file', () => {
    const vars = Object.fromEntries(Object.entries(IONAPI).map(([k, v]) => [`ION_${k.toUpperCase()}`, v]));
    expect(ionPlan(vars).kind).toBe('configured');
    // A file without its secrets, the secrets from the environment (a secret store).
    const { cs: _cs, sask: _sask, ...withoutSecrets } = IONAPI;
    expect(ionPlan({ ION_API_FILE: ionapiFile(withoutSecrets), ION_CS: SECRET, ION_SASK: SASK }).kind).toBe('configured');
  });

  it('names the missing or malformed field, never a value', () => {
    const { sask: _sask, ...noSask } = IONAPI;
    const message = failure({ ION_API_FILE: ionapiFile({ ...noSask, iu: `not a url ${SECRET}` }) });
    expect(message).toMatch(/ION_API_FILE field "sask" \(or ION_SASK\) is missing/);
    expect(failure({ ION_API_FILE: ionapiFile({ ...IONAPI, iu: `not a url ${SECRET}` }) })).toMatch(/field "iu".*must be an http\(s\) URL/);
    expect(failure({ ION_API_FILE: ionapiFile({ ...IONAPI, ot: '../../etc' }) })).toMatch(/field "ot".*must be a path below pu/);
    expect(failure({ ION_API_FILE: ionapiFile(`{"ti": "x", "cs": "${SECRET}"`) })).toMatch(/not a JSON .ionapi document/);
    expect(failure({ ION_API_FILE: '/no/such/file.ionapi' })).toMatch(/ION_API_FILE: cannot read the file \(ENOENT\)/);
    for (const m of [message, failure({ ION_API_FILE: ionapiFile(`{"ti": "x", "cs": "${SECRET}"`) })]) {
      expect(m).not.toContain(SECRET);
      expect(m).not.toContain(SASK);
    }
  });

  it('refuses write transactions on the allow-list and a malformed TTL table, by name', () => {
    const file = ionapiFile(IONAPI);
    expect(failure({ ION_API_FILE: file, ION_M3_ALLOWED_TRANSACTIONS: 'MMS200MI/GetItmBasic,OIS100MI/AddBatchHead' })).toMatch(/ION_M3_ALLOWED_TRANSACTIONS: entry 2 is not a read transaction/);
    expect(failure({ ION_API_FILE: file, ION_CACHE_TTLS: '/m3api-rest=forever' })).toMatch(/ION_CACHE_TTLS: entry 1 must be prefix=seconds/);
    expect(failure({ ION_API_FILE: file, ION_CONO: 'ABCD' })).toMatch(/ION_CONO/);
  });

  it('enters store orders only with both ION_ORDER_CUSTOMER and ION_ORDER_TYPE, each in M3\'s shape', () => {
    const file = ionapiFile(IONAPI);
    // The slice's own reading (the plan hides the config): each variable through its schema, then resolve.
    const orders = (env: Record<string, string>) => {
      const values = Object.fromEntries(Object.entries(ionConfigSlice.env).map(([k, schema]) => [k, schema.parse({ ION_API_FILE: file, ...env }[k])]));
      const problems: string[] = [];
      const state = ionConfigSlice.resolve(values, { mode: 'development', problems, all: values });
      expect(problems).toEqual([]);
      return state.configured ? state.config.orders : state;
    };
    expect(orders({})).toEqual({ off: 'ION_ORDER_CUSTOMER and ION_ORDER_TYPE are not set' });
    expect(orders({ ION_ORDER_CUSTOMER: 'WEBSTORE', ION_ORDER_TYPE: 'CO1' })).toEqual({ customer: 'WEBSTORE', orderType: 'CO1' });
    expect(failure({ ION_API_FILE: file, ION_ORDER_CUSTOMER: 'WEBSTORE' })).toMatch(/ION_ORDER_TYPE must be set with ION_ORDER_CUSTOMER/);
    expect(failure({ ION_API_FILE: file, ION_ORDER_CUSTOMER: 'WEBSTORE', ION_ORDER_TYPE: 'TOOLONG' })).toMatch(/ION_ORDER_TYPE/);
    expect(failure({ ION_API_FILE: file, ION_ORDER_CUSTOMER: 'NOT A CUSTOMER NUMBER', ION_ORDER_TYPE: 'CO1' })).toMatch(/ION_ORDER_CUSTOMER/);
  });

  it('a production fleet (REDIS_URL) needs TOKEN_ENCRYPTION_KEY to share one sealed token', () => {
    const file = ionapiFile(IONAPI);
    // A fleet is REDIS_URL with DATABASE_URL (the records, the sealed token among them, in one PostgreSQL).
    const fleet = { CROSSDOCK_MODE: 'production', REDIS_URL: 'redis://127.0.0.1:1', DATABASE_URL: 'postgres://u@127.0.0.1:1/db', ION_API_FILE: file };
    expect(failure(fleet)).toMatch(/ION configured and REDIS_URL requires TOKEN_ENCRYPTION_KEY/);
    expect(ionPlan({ ...fleet, TOKEN_ENCRYPTION_KEY: 'a'.repeat(64) }).kind).toBe('configured');
  });
});

describe('the TTL table (the seed proxy: by path prefix)', () => {
  const problems: string[] = [];
  const seed = parseTtlTable(SEED_TTLS, 'ION_CACHE_TTLS', problems);

  it('has the seed defaults', () => {
    expect(problems).toEqual([]);
    expect(seed.entries()).toEqual({ '/m3api-rest': 300, '/IDM/api/items': 600, '/LN/api': 300, default: 300 });
    expect(seed.ttlMsFor('/m3api-rest/v2/execute/MMS200MI/GetItmBasic')).toBe(300_000);
    expect(seed.ttlMsFor('/IDM/api/items/search')).toBe(600_000);
    expect(seed.ttlMsFor('/other')).toBe(300_000);
  });

  it('matches the longest prefix at a segment boundary', () => {
    const t = parseTtlTable('/m3api-rest=300,/m3api-rest/v2/execute/MMS060MI=30,default=120', 'X', []);
    expect(t.ttlMsFor('/m3api-rest/v2/execute/MMS060MI/LstBalID')).toBe(30_000);
    expect(t.ttlMsFor('/m3api-rest/v2/execute/MMS060MIX/Get')).toBe(300_000);
    expect(t.ttlMsFor('/m3api-restful')).toBe(120_000);
  });
});

describe('the allow-list', () => {
  it('lets through only the named read transactions, or every read of a program with PROGRAM/*', () => {
    const problems: string[] = [];
    const list = parseAllowList('MMS200MI/GetItmBasic,CRS610MI/*', 'X', problems);
    expect(problems).toEqual([]);
    expect(list.allows('MMS200MI', 'GetItmBasic')).toBe(true);
    expect(list.allows('MMS200MI', 'LstItmByItm')).toBe(false);
    expect(list.allows('CRS610MI', 'GetBasicData')).toBe(true);
    expect(list.allows('CRS610MI', 'LstByNumber')).toBe(true);
    // A wildcard never opens a write.
    expect(list.allows('CRS610MI', 'Add')).toBe(false);
    expect(list.allows('CRS610MI', 'UpdBasicData')).toBe(false);
    expect(list.allows('crs610mi', 'GetBasicData')).toBe(false);
  });
});

describe('M3 values typed at the edge', () => {
  it('reads exact decimals and YMD8 dates, and refuses what is neither', () => {
    expect(decimal({ GRWE: '  12.500000' }, 'GRWE')).toBe('12.5');
    expect(decimal({ GRWE: '' }, 'GRWE')).toBeNull();
    expect(() => decimal({ GRWE: '1,5' }, 'GRWE')).toThrow(M3ValueError);
    expect(ymd8({ LMDT: '20260115' }, 'LMDT')).toBe('2026-01-15');
    expect(ymd8({ LMDT: '0' }, 'LMDT')).toBeNull();
    expect(() => ymd8({ LMDT: '20260231' }, 'LMDT')).toThrow(M3ValueError);
  });

  it('sums quantities exactly and counts whole units down', () => {
    expect(normalizeQuantity('0.100000')).toBe('0.1');
    expect(sumQuantities(['0.1', '0.2'])).toBe('0.3');
    expect(sumQuantities(['12.000001', '-2'])).toBe('10.000001');
    expect(wholeUnits('12.9')).toBe(12);
    expect(wholeUnits('-0.5')).toBe(-1);
  });
});

describe('M3 business errors', () => {
  it('"does not exist" is no such record; other refusals are typed errors naming the field', () => {
    expect(isRecordMissing({ type: 'ServerReturnedNOK', message: 'Item number X does not exist', code: 'WITNO03', field: 'ITNO' }, 'ITNO')).toBe(true);
    expect(isRecordMissing({ type: 'ServerReturnedNOK', message: 'Company 9 does not exist', code: 'WCONO03', field: 'CONO' }, 'ITNO')).toBe(false);
    expect(isRecordMissing({ type: 'MandatoryInputFieldNotFound', message: 'Input field ITNO is mandatory', field: 'ITNO' }, 'ITNO')).toBe(false);
    const mandatory = miError('ion', 'MMS200MI', 'GetItmBasic', { type: 'MandatoryInputFieldNotFound', message: 'Input field ITNO is mandatory', field: 'ITNO' });
    expect(mandatory.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ITNO', errorType: 'MandatoryInputFieldNotFound' });
    const nok = miError('ion', 'OIS100MI', 'AddBatchHead', { type: 'ServerReturnedNOK', message: 'Customer X is blocked', code: 'WCUNO13', field: 'CUNO' });
    expect(nok.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', field: 'CUNO', errorCode: 'WCUNO13' });
  });
});

describe('the ERP item rule', () => {
  const skuRule = createSkuRule('FIP-');
  it('defaults to the supplier part number; products link through their SKU', () => {
    const rule = createErpItemRule({ identity: 'partNumber', prefix: '', skuRule });
    expect(rule.forPart('BX-1234567')).toBe('BX-1234567');
    expect(rule.forSku('FIP-BX-1234567')).toBe('BX-1234567');
    expect(rule.forSku('OTHER-1')).toBeNull();
  });
  it('can be the store SKU, with a prefix', () => {
    const rule = createErpItemRule({ identity: 'sku', prefix: 'W', skuRule });
    expect(rule.forPart('BX-1')).toBe('WFIP-BX-1');
    expect(rule.forSku('FIP-BX-1')).toBe('WFIP-BX-1');
  });
  it('is configured by ERP_ITEM_IDENTITY and ERP_ITEM_PREFIX', () => {
    expect(loadConfig({}).erpItem).toEqual({ identity: 'partNumber', prefix: '' });
    expect(loadConfig({ ERP_ITEM_IDENTITY: 'sku', ERP_ITEM_PREFIX: 'M3-' }).erpItem).toEqual({ identity: 'sku', prefix: 'M3-' });
    expect(() => loadConfig({ ERP_ITEM_IDENTITY: 'name' })).toThrow(/ERP_ITEM_IDENTITY/);
  });
});
