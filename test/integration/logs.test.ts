/**
 * No secret or personal data in any log line or audit entry (issue 6,
 * acceptance 5). A gateway runs a flow seeded with secrets and PII through
 * every log path, with its logger (level trace) writing into this test, and
 * then the raw output and the audit table are searched for each seeded value.
 *
 * Seeded: API keys (valid ones, a wrong one, a wrong one as request id), a
 * bearer token, a JWT presented as a key, the FinditParts client secret (and
 * the JWTs the gateway signs with it), the BigCommerce static token, the app
 * client secret, the OAuth code and the installed store token, the token
 * encryption key, the `.ionapi` secrets (client secret, service-account
 * keys) and the ION access and refresh tokens, emails, phone numbers, a person's name (in an order's
 * address: names are masked by field, free text cannot tell a name from a
 * word) and street addresses (in order addresses, sync scopes, variables and
 * vendor error bodies).
 *
 * Log paths: the per-request line, masked resolver errors, upstream failures
 * (a supplier that answers 400, 401 and 503 with bodies echoing the request's
 * Authorization header and PII: sync job failures, the credentials alert,
 * breaker changes), an ION authorization server that echoes the token
 * request's body and Basic credentials in its refusals (the refresh-failed
 * warning, the credentials alert), the install flow (exchange, refused exchange, refused
 * JWTs, uninstall), audit entries (run, refused by role, refused before
 * execution over GET), and config errors.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createLogger, type Logger } from '../../src/observability/logger.js';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import type { GqlBody } from '../support/gateway.js';
import { startRecordingProxy, type RecordingProxy } from '../support/recordingProxy.js';
import { startSandbox } from '../support/sandbox.js';

const rnd = (n = 12) => randomBytes(n).toString('hex');
const S = {
  adminKey: `cdk_live_admin_${rnd()}`,
  operatorKey: `op-key-${rnd()}`,
  viewerKey: `viewer-key-${rnd()}`,
  wrongKey: `cdk_live_wrong_${rnd()}`,
  bearer: `bearer-token-${rnd()}`,
  fipSecret: `fip-client-secret-${rnd()}`,
  bcStatic: `bcstatictoken${rnd()}`,
  appSecret: `bc-app-secret-${rnd()}`,
  oauthCode: `oauthcode${rnd(8)}`,
  encryptionKey: randomBytes(32).toString('hex'),
  fileKey: `cdk_file_key_${rnd()}`,
  ionClientSecret: `ion-client-secret-${rnd()}`,
  ionAccessKey: `ION#service-account-${rnd()}`,
  ionSecretKey: `ion-service-secret-${rnd()}`,
  waToken: `EAAGwhatsapp${rnd()}`,
  waSecret: `wa-app-secret-${rnd()}`,
  waVerify: `wa-verify-${rnd()}`,
};
const PII = {
  email: 'jane.doe.7731@example.com',
  email2: 'orders+dock@parts-seller.example.org',
  phone: '+1 (614) 555-0199',
  phone2: '614-555-0142',
  phone3: '+44 20 7946 0958',
  person: 'Janet Quinella Customer',
  street: '1600 Pennsylvania Avenue NW',
  street2: '42 Wallaby Way',
  zip: '90210-4421',
  // WhatsApp recipients: E.164 as clients send them, digits only as WhatsApp's payloads carry them.
  waPhone: '+14155550142',
  waDigits: '14155550142',
  waPhone2: '+14155550199',
  waDigits2: '14155550199',
};
/** A JWT presented as an API key (wrong, so refused). */
let presentedJwt = '';
/** Filled as the flow runs: the token the code exchange returned. */
let installedToken = '';
/** Filled as the flow runs: the ION tokens the authorization server issued. */
const ionTokens = { access: '', refresh: '' };

const lines: string[] = [];
let logger: Logger;
let sandbox: Sandbox;
let fip: RecordingProxy;
let login: RecordingProxy;
let ion: RecordingProxy;
let waProxy: RecordingProxy;
/** How the WhatsApp API misbehaves: echoes the recipient and the Authorization header in its refusals. */
let waMode: 'pass' | 'echo' = 'pass';
/** How the ION authorization server misbehaves: echoes what it was sent in its refusals. */
let ionMode: 'pass' | 'echo' = 'pass';
let gw: Gateway;
let dataDir: string;
/** How the supplier proxy misbehaves: echoes secrets and PII back in its error bodies. */
let supplierMode: 'pass' | 'reject' | 'unauthorized' | 'down' | 'garbage' = 'pass';

const echo = (auth: string | undefined) =>
  `request with Authorization ${auth} refused for ${PII.email}, ship to ${PII.street}, ${PII.zip}, call ${PII.phone} or ${PII.phone2}`;

beforeAll(async () => {
  logger = createLogger({ level: 'trace', destination: { write: (s: string) => void lines.push(s) } });
  presentedJwt = await new SignJWT({ sub: PII.email }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(32)));
  sandbox = await startSandbox({
    parts: 200,
    finditparts: { clientSecret: S.fipSecret, ratePerSecond: 1000, burst: 1000, perMinute: 100_000 },
    bigcommerce: { accessToken: S.bcStatic, appClientSecret: S.appSecret, quota: 10_000 },
    ion: { clientSecret: S.ionClientSecret, serviceAccountAccessKey: S.ionAccessKey, serviceAccountSecretKey: S.ionSecretKey },
    whatsapp: { accessToken: S.waToken, appSecret: S.waSecret, verifyToken: S.waVerify },
  });
  waProxy = await startRecordingProxy(sandbox.whatsapp.url);
  waProxy.override = (req) => {
    if (waMode !== 'echo' || !req.path.endsWith('/messages')) return undefined;
    const to = (JSON.parse(req.body) as { to: string }).to;
    return {
      status: 400,
      body: JSON.stringify({ error: { message: `(#131009) Recipient ${to.slice(1)} (${to}) is not valid for ${PII.email}; sent with ${String(req.headers.authorization)}`, type: 'OAuthException', code: 131009, fbtrace_id: 'x' } }),
    };
  };
  fip = await startRecordingProxy(sandbox.finditparts.url);
  fip.override = (req) => {
    const auth = typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined;
    switch (supplierMode) {
      case 'pass':
        return undefined;
      case 'reject':
        return { status: 400, body: JSON.stringify({ errno: 2, message: echo(auth) }) };
      case 'unauthorized':
        return { status: 401, body: JSON.stringify({ errno: 1, message: echo(auth) }) };
      case 'down':
        return { status: 503, body: JSON.stringify({ errno: 99, message: echo(auth) }) };
      case 'garbage':
        return { status: 200, body: JSON.stringify({ products: `${presentedJwt} ${PII.email}`, pagination: PII.phone }) };
    }
  };
  login = await startRecordingProxy(sandbox.bigcommerce.url);
  ion = await startRecordingProxy(sandbox.ion.url);
  ion.override = (req) =>
    ionMode === 'echo' && req.path.includes('/as/')
      ? { status: 400, body: JSON.stringify({ error: 'invalid_grant', error_description: `refused ${req.body} sent with ${String(req.headers.authorization)} for ${PII.email}` }) }
      : undefined;
  // The .ionapi file, pointed through the proxy.
  const ionapi = (await (await fetch(`${sandbox.ion.url}/__sandbox/ionapi`)).json()) as Record<string, string>;
  const ionApiFile = join(mkdtempSync(join(tmpdir(), 'crossdock-logs-ionapi-')), 'logs.ionapi');
  writeFileSync(ionApiFile, JSON.stringify({ ...ionapi, iu: ion.url, pu: ionapi.pu!.replace(sandbox.ion.url, ion.url) }));
  dataDir = mkdtempSync(join(tmpdir(), 'crossdock-logs-'));
  // The secrets arrive as files (NAME_FILE twins), the way Docker and Kubernetes secrets do, and
  // one more key from the keys file: none may show up in a log line either.
  const secret = (name: string, value: string) => {
    const path = join(dataDir, name);
    writeFileSync(path, `${value}\n`);
    return path;
  };
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'trace',
    CROSSDOCK_DATA_DIR: dataDir,
    CROSSDOCK_API_KEYS: `admin:admin:${S.adminKey},ops:operator:${S.operatorKey},view:viewer:${S.viewerKey}`,
    CROSSDOCK_API_KEYS_FILE: secret('keys.json', JSON.stringify([{ client: 'filed', role: 'viewer', key: S.fileKey, allow: ['127.0.0.0/8', '::1'], expiresAt: '2099-01-01T00:00:00Z' }])),
    FINDITPARTS_BASE_URL: `${fip.url}/api/v1`,
    FINDITPARTS_CLIENT_ID: sandbox.options.finditparts.clientId,
    FINDITPARTS_CLIENT_SECRET_FILE: secret('fip-secret', S.fipSecret),
    BIGCOMMERCE_API_URL: sandbox.bigcommerce.apiBase,
    BIGCOMMERCE_ACCESS_TOKEN_FILE: secret('bc-token', S.bcStatic),
    BIGCOMMERCE_APP_CLIENT_ID: sandbox.options.bigcommerce.appClientId,
    BIGCOMMERCE_APP_CLIENT_SECRET_FILE: secret('bc-app-secret', S.appSecret),
    BIGCOMMERCE_LOGIN_URL: `${login.url}/oauth2/token`,
    TOKEN_ENCRYPTION_KEY_FILE: secret('token-key', S.encryptionKey),
    ION_API_FILE: ionApiFile,
    WHATSAPP_API_URL: `${waProxy.url}/v21.0`,
    WHATSAPP_PHONE_NUMBER_ID: 'sandbox-phone',
    WHATSAPP_ACCESS_TOKEN_FILE: secret('wa-token', S.waToken),
    WHATSAPP_APP_SECRET_FILE: secret('wa-secret', S.waSecret),
    WHATSAPP_VERIFY_TOKEN_FILE: secret('wa-verify', S.waVerify),
    WHATSAPP_CATALOG_ID: 'sandbox-catalog',
    WHATSAPP_TEMPLATE_NAME: 'crossdock_products',
    MESSAGE_SEND_WAIT_MS: '3000',
    RETRY_DELAY_SCALE: '0.01',
    BREAKER_FAILURE_THRESHOLD: '3',
    BREAKER_COOLDOWN_MS: '100',
    ORDER_PLACE_WAIT_MS: '2000',
    ORDER_RETRY_STEP_MS: '50',
    ORDER_POLL_INTERVAL_MS: '200',
    RESPONSE_CACHE: 'false',
    CACHE_TTL_PART_SECONDS: '0',
    CACHE_SWR_SECONDS: '0',
  });
  gw = await createGateway(config, { logger });
}, 60_000);
afterAll(async () => {
  // DUMP_LOGS=<file> keeps the captured lines, to look at what redaction left.
  if (process.env.DUMP_LOGS) (await import('node:fs')).writeFileSync(process.env.DUMP_LOGS, lines.join(''));
  await gw?.close();
  await Promise.all([fip?.close(), login?.close(), ion?.close(), waProxy?.close()]);
  await sandbox?.close();
});

const gql = async (key: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) => {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GqlBody };
};
const waitFor = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
const logged = (msg: string) => lines.some((l) => (JSON.parse(l) as { msg?: string }).msg === msg);
const signedPayload = async (body: Record<string, unknown> = {}) => {
  const res = await fetch(`${sandbox.bigcommerce.url}/__sandbox/signed-payload`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return ((await res.json()) as { signed_payload_jwt: string }).signed_payload_jwt;
};
const address = { name: PII.person, street1: PII.street, street2: `c/o ${PII.email}, ${PII.phone3}`, city: 'Columbus', state: 'OH', zip: PII.zip, country: 'US' };

describe('a flow seeded with secrets and PII', () => {
  it('HTTP requests with keys in every place a client may put them', async () => {
    expect((await gql(S.adminKey, '{ __typename }')).status, 'request 1').toBe(200);
    expect((await gql('', '{ __typename }', undefined, { authorization: `Bearer ${S.operatorKey}` })).status, 'request 2').toBe(200);
    expect((await gql(S.wrongKey, '{ __typename }')).status, 'request 3').toBe(401);
    expect((await gql('', '{ __typename }', undefined, { authorization: `Bearer ${S.bearer}` })).status, 'request 4').toBe(401);
    expect((await gql('', '{ __typename }', undefined, { authorization: `Bearer ${presentedJwt}` })).status, 'request 5').toBe(401);
    // A request id that is itself a secret, and secrets in a query string.
    expect((await gql(S.adminKey, '{ __typename }', {}, { 'x-request-id': S.wrongKey })).status, 'request 6').toBe(200);
    const qs = new URLSearchParams({ query: '{ __typename }', code: S.oauthCode, email: PII.email, token: S.bcStatic });
    expect((await fetch(`${gw.url}/graphql?${qs}`, { headers: { 'x-api-key': S.viewerKey, 'apollo-require-preflight': 'true' } })).status, 'request 7').toBe(200);
    expect((await fetch(`${gw.url}/no/such/path?api_key=${S.wrongKey}&phone=${encodeURIComponent(PII.phone)}`, { headers: { 'x-api-key': S.adminKey } })).status, 'request 8').toBe(404);
  });

  it('mutations with PII in their variables: run, refused by role, refused before execution', async () => {
    const search = await gql(S.adminKey, `{ searchParts(first: 50) { edges { node { supplierId sellable variants { quantity minimum } } } } }`);
    const edges = (search.body.data?.searchParts as { edges: Array<{ node: { supplierId: string; sellable: boolean; variants: Array<{ quantity: number; minimum: number }> } }> }).edges;
    const part = edges.find((e) => e.node.sellable && (e.node.variants[0]?.quantity ?? 0) > 5 && e.node.variants[0]?.minimum === 1)!.node.supplierId;
    const PLACE = `mutation PlaceForCustomer($in: PlaceSupplierOrderInput!) { placeSupplierOrder(input: $in) { __typename ... on SupplierOrderPlaced { order { id status } } } }`;
    const placed = await gql(S.operatorKey, PLACE, { in: { idempotencyKey: `logs-${rnd(4)}`, lines: [{ partId: part, quantity: 1 }], address } });
    expect(placed.body.errors).toBeUndefined();
    // A viewer tries the same: FORBIDDEN, audited as REFUSED.
    const refused = await gql(S.viewerKey, PLACE, { in: { idempotencyKey: `logs-${rnd(4)}`, lines: [{ partId: part, quantity: 1 }], address } });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // Free text with PII in a sync scope.
    const started = await gql(S.operatorKey, `mutation($in: StartSyncInput!) { startSync(input: $in) { job { id } } }`, {
      in: { kind: 'PRICE', dryRun: true, scope: { query: `ask ${PII.email2} or ${PII.phone2} at ${PII.street2}`, limit: 5 } },
    });
    expect(started.body.errors).toBeUndefined();
    // A mutation over GET with PII in its variables: refused before execution, audited by the plugin.
    const qs = new URLSearchParams({
      query: `mutation PlaceOverGet($in: PlaceSupplierOrderInput!) { placeSupplierOrder(input: $in) { __typename } }`,
      variables: JSON.stringify({ in: { idempotencyKey: 'get-1', lines: [{ partId: part, quantity: 1 }], address } }),
    });
    const overGet = await fetch(`${gw.url}/graphql?${qs}`, { headers: { 'x-api-key': S.adminKey, 'apollo-require-preflight': 'true' } });
    expect(overGet.status).toBe(405);
  });

  it('upstream failures whose bodies echo the Authorization header and PII', async () => {
    // 400: the sync job fails with the vendor's message.
    supplierMode = 'reject';
    const job = await gql(S.operatorKey, `mutation($in: StartSyncInput!) { startSync(input: $in) { job { id } } }`, {
      in: { kind: 'CATALOG', scope: { query: `${PII.email} ${PII.phone3}`, limit: 5 } },
    });
    const jobId = (job.body.data?.startSync as { job: { id: string } }).job.id;
    await waitFor('the sync job to fail', async () => {
      const res = await gql(S.adminKey, `query($id: ID!) { syncJob(id: $id) { status } }`, { id: jobId });
      return (res.body.data?.syncJob as { status: string }).status === 'FAILED';
    });
    expect(logged('sync job failed')).toBe(true);
    // An interactive read refused by the vendor, by the keys file's client.
    expect((await gql(S.fileKey, `{ searchParts(query: "${PII.email}", first: 3) { totalCount } }`)).status).toBe(200);
    // 401 twice: the credentials alert.
    supplierMode = 'unauthorized';
    await gql(S.viewerKey, `{ searchParts(query: "x401", first: 3) { totalCount } }`);
    await waitFor('the credentials alert', () => lines.some((l) => l.includes('credentials rejected twice')));
    // An answer the connector cannot read: a masked resolver error.
    supplierMode = 'garbage';
    const garbled = await gql(S.viewerKey, `{ searchParts(query: "garbage", first: 3) { totalCount } }`);
    expect(garbled.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    // 503s: retries, then the breaker opens.
    supplierMode = 'down';
    for (let i = 0; i < 4; i++) await gql(S.viewerKey, `{ searchParts(query: "down${i}", first: 3) { totalCount } }`);
    await waitFor('the breaker to open', () => logged('circuit breaker changed state'));
    supplierMode = 'pass';
  });

  it('ERP reads, and an ION authorization server that echoes the token request in its refusals', async () => {
    const grant = JSON.parse(ion.exchanges.find((e) => e.path.includes('token.oauth2') && e.status === 200)!.responseBody) as { access_token: string; refresh_token: string };
    ionTokens.access = grant.access_token;
    ionTokens.refresh = grant.refresh_token;
    expect(ionTokens.access.length).toBeGreaterThan(10);
    expect((await gql(S.operatorKey, `{ m3(program: "MMS200MI", transaction: "LstItmByItm", maxRecords: 2) { nrOfRecords } }`)).body.errors).toBeUndefined();
    // Revoked upstream: the next read's 401 asks for a refresh, which the server refuses, echoing the
    // form (refresh token, service-account keys) and the Basic credentials.
    ionMode = 'echo';
    await fetch(`${sandbox.ion.url}/__sandbox/tokens/revoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const refused = await gql(S.operatorKey, `{ m3(program: "MMS200MI", transaction: "LstItmByItm", input: { ITNO: "B" }, maxRecords: 2) { nrOfRecords } }`);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(ion.exchanges.some((e) => e.status === 400 && e.requestBody.includes('grant_type=password'))).toBe(true);
    await waitFor('the refresh-failed warning', () => logged('ION token refresh failed'));
    ionMode = 'pass';
  });

  it('WhatsApp: product messages to a number, a vendor that echoes it, webhooks signed and not, the handshake', async () => {
    const products = await gql(S.adminKey, `{ products(first: 2) { edges { node { id } } } }`);
    const [pid] = (products.body.data?.products as { edges: Array<{ node: { id: string } }> }).edges.map((e) => e.node.id);
    const SEND = `mutation SendToCustomer($in: SendProductMessageInput!) { sendProductMessage(input: $in) { message { id status to errors { code message } } } }`;
    const sent = await gql(S.operatorKey, SEND, { in: { to: PII.waPhone, productIds: [pid], body: `For ${PII.email} at ${PII.street2}`, idempotencyKey: `logs-wa-${rnd(4)}` } });
    expect(sent.body.errors).toBeUndefined();
    expect((sent.body.data?.sendProductMessage as { message: { status: string; to: string } }).message).toMatchObject({ status: 'SENT', to: '+14*******42' });
    // The vendor refuses the next one, quoting the number and the Authorization header back.
    waMode = 'echo';
    const echoed = await gql(S.operatorKey, SEND, { in: { to: PII.waPhone2, productIds: [pid], idempotencyKey: `logs-wa-${rnd(4)}` } });
    waMode = 'pass';
    const failed = (echoed.body.data?.sendProductMessage as { message: { status: string; errors: Array<{ message: string }> } }).message;
    expect(failed.status).toBe('FAILED');
    expect(JSON.stringify(failed)).not.toContain(PII.waDigits2.slice(1));
    // A viewer tries: FORBIDDEN, audited as REFUSED with the number in its variables.
    expect((await gql(S.viewerKey, SEND, { in: { to: PII.waPhone, productIds: [pid], idempotencyKey: `logs-wa-${rnd(4)}` } })).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // Webhooks: a signed one (statuses and a customer message, their numbers digits only), an unsigned one, the handshake.
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: 'waba', changes: [{ field: 'messages', value: { metadata: { display_phone_number: '15550100000', phone_number_id: 'sandbox-phone' }, contacts: [{ wa_id: PII.waDigits, profile: { name: PII.person } }], messages: [{ from: PII.waDigits, id: 'wamid.in', timestamp: '1893456000', type: 'text', text: { body: `call me ${PII.phone}` } }], statuses: [{ id: 'wamid.none', status: 'read', timestamp: '1893456000', recipient_id: PII.waDigits }] } }] }],
    });
    const sign = (b: string) => `sha256=${createHmac('sha256', S.waSecret).update(b).digest('hex')}`;
    const post = (headers: Record<string, string>) => fetch(`${gw.url}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect((await post({ 'x-hub-signature-256': sign(body) })).status).toBe(200);
    expect((await post({ 'x-hub-signature-256': sign(`${body}x`) })).status).toBe(401);
    expect((await post({})).status).toBe(401);
    expect((await fetch(`${gw.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${S.waVerify}&hub.challenge=123`)).status).toBe(200);
    expect((await fetch(`${gw.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${S.waToken}&hub.challenge=123`)).status).toBe(403);
  });

  it('the install flow: exchange, a refused exchange, refused and valid signed payloads, uninstall', async () => {
    const ok = await fetch(`${gw.url}/bigcommerce/auth?code=${S.oauthCode}&scope=store_v2_products&context=stores/sandbox`);
    expect(ok.status).toBe(200);
    installedToken = (JSON.parse(login.exchanges[0]!.responseBody) as { access_token: string }).access_token;
    expect(installedToken.length).toBeGreaterThan(10);
    // The same code again: refused by the vendor.
    expect((await fetch(`${gw.url}/bigcommerce/auth?code=${S.oauthCode}&scope=store_v2_products&context=stores/sandbox`)).status).toBe(502);
    // A store call now carries the installed token.
    expect((await gql(S.adminKey, `{ products(first: 1) { totalCount } }`)).body.errors).toBeUndefined();
    expect((await fetch(`${gw.url}/bigcommerce/load?signed_payload_jwt=${await signedPayload({ user: { id: 5, email: PII.email } })}`)).status).toBe(200);
    expect((await fetch(`${gw.url}/bigcommerce/load?signed_payload_jwt=${await signedPayload({ secret: S.fipSecret })}`)).status).toBe(401);
    expect((await fetch(`${gw.url}/bigcommerce/remove_user?signed_payload_jwt=${await signedPayload({ user: { id: 6, email: PII.email2 } })}`)).status).toBe(200);
    expect((await fetch(`${gw.url}/bigcommerce/uninstall?signed_payload_jwt=${await signedPayload()}`)).status).toBe(200);
    expect(logged('bigcommerce app installed')).toBe(true);
    expect(logged('bigcommerce code exchange refused')).toBe(true);
    expect(logged('bigcommerce signed_payload_jwt refused')).toBe(true);
  });

  it('config errors name variables, never values, and log clean', () => {
    const attempts: Array<Record<string, string>> = [
      { CROSSDOCK_API_KEYS: `admin:superuser:${S.adminKey}` },
      { CROSSDOCK_API_KEYS: `admin:admin:${S.adminKey},admin:viewer:${S.viewerKey}` },
      { TOKEN_ENCRYPTION_KEY: S.appSecret },
      { FINDITPARTS_BASE_URL: `not a url ${S.fipSecret}`, BIGCOMMERCE_API_URL: `https://api.example.com/v3?token=${S.bcStatic}` },
      { BIGCOMMERCE_APP_CLIENT_SECRET: S.appSecret },
      { CROSSDOCK_MODE: 'production', CROSSDOCK_API_KEYS: `a:admin:${S.adminKey}`, BIGCOMMERCE_APP_CLIENT_ID: 'x', BIGCOMMERCE_APP_CLIENT_SECRET: S.appSecret },
      { ORDER_DEFAULT_ADDRESS: JSON.stringify({ name: PII.person, street1: PII.street }) },
      // Both a secret and its file twin; a keys file that does not parse, with a key in it.
      { FINDITPARTS_CLIENT_SECRET: S.fipSecret, FINDITPARTS_CLIENT_SECRET_FILE: join(dataDir, 'fip-secret') },
      { CROSSDOCK_API_KEYS_FILE: (() => { const path = join(dataDir, 'broken-keys.json'); writeFileSync(path, `[{"client":"x","role":"viewer","key":"${S.fileKey}"`); return path; })() },
      { CROSSDOCK_API_KEYS_FILE: (() => { const path = join(dataDir, 'bad-keys.json'); writeFileSync(path, JSON.stringify([{ client: 'x', role: 'root', key: S.fileKey }])); return path; })() },
    ];
    for (const env of attempts) {
      let error: unknown;
      try {
        loadConfig(env);
      } catch (err) {
        error = err;
      }
      expect(error, JSON.stringify(Object.keys(env))).toBeInstanceOf(ConfigError);
      logger.fatal({ err: error }, 'invalid configuration');
      logger.error(error as Error);
    }
  });
});

describe('what was written', () => {
  const seeded = () => ({ ...S, ...PII, presentedJwt, installedToken, ionAccessToken: ionTokens.access, ionRefreshToken: ionTokens.refresh });

  it('exercised every log path', () => {
    const entries = lines.map((l) => JSON.parse(l) as { msg?: string; reqId?: string; route?: string; status?: number; client?: string; durationMs?: number; method?: string });
    const requests = entries.filter((e) => e.msg === 'request');
    expect(requests.length).toBeGreaterThan(20);
    for (const r of requests) {
      expect(typeof r.reqId).toBe('string');
      expect(typeof r.status).toBe('number');
      expect(typeof r.durationMs).toBe('number');
      expect(typeof r.route).toBe('string');
    }
    expect(requests.some((r) => r.client === 'admin' && r.route === '/graphql')).toBe(true);
    expect(requests.some((r) => r.status === 401 && r.client === undefined)).toBe(true);
    for (const msg of ['WhatsApp webhook refused: the signature does not verify', 'WhatsApp webhook verified', 'WhatsApp webhook verification refused', 'ION token refresh failed', 'masked resolver error', 'sync job failed', 'circuit breaker changed state', 'bigcommerce app installed', 'bigcommerce app uninstalled; store token deleted', 'invalid configuration']) {
      expect(logged(msg), msg).toBe(true);
    }
  });

  it('no seeded secret or PII appears anywhere in the log output', () => {
    const raw = lines.join('');
    expect(installedToken).not.toBe('');
    for (const [name, value] of Object.entries(seeded())) {
      expect(raw.includes(value), `${name} leaked into the logs`).toBe(false);
      // As a query string or a form body carries it.
      expect(raw.includes(encodeURIComponent(value)), `${name} leaked URL-encoded into the logs`).toBe(false);
    }
    // Nor any Basic credential (the ION client id and secret, echoed by its authorization server).
    expect(raw).not.toMatch(/Basic (?!\[redacted\])[A-Za-z0-9+/]{8,}/);
    // Nor any JWT (the FinditParts request tokens, signed payloads), nor the digits of a phone number.
    expect(raw).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    expect(raw).not.toMatch(/555[-. ]?01(99|42)/);
    expect(raw).not.toContain('Pennsylvania');
  });

  it('no seeded secret or PII appears in the audit table, which has every mutation', async () => {
    const db = new Database(join(dataDir, 'crossdock.db'), { readonly: true });
    const rows = db.prepare('SELECT * FROM audit_log ORDER BY id').all() as Array<Record<string, unknown>>;
    db.close();
    const raw = JSON.stringify(rows);
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.map((r) => `${String(r.field)}:${String(r.outcome)}`)).toEqual(
      expect.arrayContaining(['placeSupplierOrder:OK', 'placeSupplierOrder:REFUSED', 'startSync:OK', 'sendProductMessage:OK', 'sendProductMessage:REFUSED']),
    );
    expect(rows.some((r) => r.operation_name === 'PlaceOverGet' && r.outcome === 'REFUSED' && r.arguments === null)).toBe(true);
    for (const [name, value] of Object.entries(seeded())) {
      expect(raw.includes(value), `${name} leaked into the audit log`).toBe(false);
    }
    expect(raw).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    // What stays is useful: the client, the field, the idempotency key, the state and country.
    const placed = rows.find((r) => r.field === 'placeSupplierOrder' && r.outcome === 'OK')!;
    expect(placed.client).toBe('ops');
    const variables = JSON.parse(String(placed.variables)) as { in: { idempotencyKey: string; address: Record<string, string> } };
    expect(variables.in.idempotencyKey).toMatch(/^logs-/);
    expect(variables.in.address).toMatchObject({ state: 'OH', country: 'US', name: '[redacted]', street1: '[redacted]' });
    // And the same through the API.
    const api = await gql(S.adminKey, `{ auditLog(first: 200) { totalCount edges { node { client field arguments variables outcome errorCode } } } }`);
    const apiRaw = JSON.stringify(api.body);
    for (const [name, value] of Object.entries(seeded())) expect(apiRaw.includes(value), `${name} leaked through auditLog`).toBe(false);
  });
});
