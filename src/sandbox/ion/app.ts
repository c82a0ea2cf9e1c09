/**
 * The Infor ION API simulator (upstreams.md, "Infor ION API / M3 ERP"): one
 * origin (default http://127.0.0.1:4104) playing both the tenant's
 * authorization server and its API gateway, for tenant `SANDBOX`:
 *
 *   POST /{ti}/as/token.oauth2          password and refresh_token grants (form-encoded)
 *   POST /{ti}/as/revoke_token.oauth2   RFC 7009 revocation
 *   GET  /{ti}/M3/m3api-rest/v2/execute/{PROGRAM}/{TRANSACTION}[;matrix]?FIELD=…&options
 *   POST /{ti}/M3/m3api-rest/v2/execute  bulk: {program, cono?, maxReturnedRecords?, transactions[]}
 *
 * with the shared stats/faults/reset admin routes and its own:
 * `GET /__sandbox/ionapi` (the `.ionapi` credentials file for this origin),
 * `GET|POST /__sandbox/tokens` (grant counters; the token lifetime),
 * `POST /__sandbox/tokens/revoke` (revoke every live token "upstream"),
 * `GET|POST /__sandbox/limits` (the throttling policy), `GET /__sandbox/mi`
 * (transactions run, by program), `GET /__sandbox/orders` (OIS100MI) and
 * `POST /__sandbox/items` (items added to the item master, as a person
 * would in M3, so a refused order line can be retried).
 *
 * The `acceptThenHang` fault applies to the OIS100MI writes: the
 * transaction runs (the order is changed), and the answer never comes — the
 * lost answer an exporter must survive without entering an order twice.
 *
 * Request path for an API call: stats + faults (origin) → bearer token (401)
 * → throttling policy (429) → the transaction. Written from upstreams.md;
 * shares nothing with the gateway's connector.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Catalog } from '../common/catalog.js';
import { createOrigin, type Origin } from '../common/origin.js';
import type { IonSandboxOptions } from '../options.js';
import { createCustomerOrders, type CustomerOrders } from './customerOrders.js';
import { createErpData, type ErpData } from './erpData.js';
import { envelope, readOptions, runTransaction, type MiOptions } from './miEngine.js';
import { buildIonOpenApi } from './openapi.js';
import { createThrottle, throttlePatchSchema, type Throttle } from './throttle.js';
import { createTokenAuthority, type TokenAuthority } from './tokens.js';
import { createPrograms } from './transactions.js';

export interface IonOrigin extends Origin {
  readonly tokens: TokenAuthority;
  readonly throttle: Throttle;
  readonly erp: ErpData;
  readonly orders: CustomerOrders;
  /** The `.ionapi` document for this origin (upstreams.md: ti, cn, ci, cs, iu, pu, oa, ot, or, saak, sask). */
  ionapi(): Record<string, string>;
  /** Transactions run since start or the last reset, by `PROGRAM/TRANSACTION`. */
  transactionCounts(): Record<string, number>;
}

const FAULT_MESSAGES: Record<number, string> = {
  429: 'too many requests (injected fault)',
  500: 'internal server error (injected fault)',
  503: 'service unavailable (injected fault)',
  504: 'gateway timeout (injected fault)',
};

const bulkSchema = z
  .object({
    program: z.string().min(1).max(16),
    cono: z.union([z.string(), z.number()]).optional(),
    maxReturnedRecords: z.number().int().min(0).max(1_000_000).optional(),
    transactions: z
      .array(
        z
          .object({
            transaction: z.string().min(1).max(32),
            record: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
            selectedColumns: z.array(z.string()).optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

const ymd8 = () => new Date().toISOString().slice(0, 10).replace(/-/g, '');

export function createIonOrigin(options: IonSandboxOptions, catalog: Catalog, seed: number): IonOrigin {
  const tokens = createTokenAuthority(options);
  const throttle = createThrottle({ requestsPerWindow: options.requestsPerWindow, windowMs: options.windowMs, retryAfterSeconds: options.retryAfterSeconds });
  const erp = createErpData(catalog, { seed, company: options.company, itemShare: options.itemShare, otherStockShare: options.otherStockShare });
  const orders = createCustomerOrders(ymd8);
  const programs = createPrograms();
  let counts = new Map<string, number>();
  const prefix = `/${options.tenant}`;

  const origin = createOrigin({
    name: 'Infor ION API',
    faults: options.faults,
    faultAnswer: (status) => ({
      body: { error: 'fault', error_description: FAULT_MESSAGES[status] ?? `injected fault (HTTP ${status})` },
      headers: status === 429 ? { 'retry-after': '1' } : ({} as Record<string, string>),
    }),
    openapi: () => buildIonOpenApi(options.tenant),
    // The handlers decide: only a write transaction runs and then hangs (below).
    isOrderPlacement: (_method, route) => route.includes('/execute'),
    resetData: () => {
      tokens.clear();
      orders.clear();
      erp.resetAdded();
      throttle.reset();
    },
    resetStats: () => {
      tokens.resetCounters();
      counts = new Map();
    },
  });
  const { app } = origin;
  let originUrl = '';

  // upstreams.md: token requests are form-encoded.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
  });
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ error: 'not_found', error_description: 'no such resource' }));
  app.setErrorHandler(async (error: FastifyError, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send({ error: 'invalid_request', error_description: error.message });
    return reply.code(500).send({ error: 'server_error', error_description: 'internal error' });
  });

  function ionapi(): Record<string, string> {
    return {
      ti: options.tenant,
      cn: options.appName,
      ci: options.clientId,
      cs: options.clientSecret,
      iu: originUrl,
      pu: `${originUrl}${prefix}/as/`,
      oa: 'authorization.oauth2',
      ot: 'token.oauth2',
      or: 'revoke_token.oauth2',
      ev: 'SANDBOX',
      v: '1.0',
      saak: options.serviceAccountAccessKey,
      sask: options.serviceAccountSecretKey,
    };
  }

  // ---- the authorization server -------------------------------------------------------------------
  const form = (request: FastifyRequest) => (request.body && typeof request.body === 'object' ? (request.body as Record<string, string>) : {});
  const answer = (reply: FastifyReply, a: { status: number; headers?: Record<string, string>; body: unknown }) => reply.code(a.status).headers(a.headers ?? {}).send(a.body);
  app.post(`${prefix}/as/token.oauth2`, async (request, reply) => answer(reply, tokens.grant(form(request), request.headers.authorization)));
  app.post(`${prefix}/as/revoke_token.oauth2`, async (request, reply) => answer(reply, tokens.revoke(form(request), request.headers.authorization)));
  app.get(`${prefix}/as/authorization.oauth2`, async (_request, reply) =>
    reply.code(400).send({ error: 'unsupported_response_type', error_description: 'the sandbox serves the password and refresh_token grants only' }),
  );

  // ---- the API gateway: M3 MI REST ----------------------------------------------------------------
  function unknown(reply: FastifyReply, program: string, transaction?: string) {
    // upstreams.md: an unknown transaction is a 400 (not a 200 with an error).
    return reply.code(400).send({
      errorMessage: transaction ? `Transaction ${transaction} does not exist in program ${program}` : `Program ${program} does not exist`,
      errorCode: 'UNKNOWN_TRANSACTION',
    });
  }

  function count(program: string, transaction: string) {
    const key = `${program}/${transaction}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }

  app.register(
    async (api) => {
      api.addHook('onRequest', async (request, reply) => {
        const why = tokens.check(request.headers.authorization);
        if (why) {
          return reply.code(401).header('www-authenticate', `Bearer error="invalid_token", error_description="${why}"`).send({ error: 'invalid_token', error_description: why });
        }
        const decision = throttle.take();
        if (!decision.ok) {
          origin.stats.countThrottled();
          if (decision.retryAfterSeconds > 0) reply.header('retry-after', String(decision.retryAfterSeconds));
          return reply.code(429).send({ error: 'too_many_requests', error_description: 'the tenant throttling policy refused the call' });
        }
      });

      api.get('/execute/:program/:transaction', async (request, reply) => {
        const params = request.params as { program: string; transaction: string };
        // Matrix parameters (`;maxrecs=5;returncols=A,B`) ride on the last segment.
        const [transaction = '', ...matrixParts] = params.transaction.split(';');
        const program = params.program.split(';')[0] ?? '';
        const spec = programs[program]?.[transaction];
        if (!programs[program]) return unknown(reply, program);
        if (!spec) return unknown(reply, program, transaction);
        const query = request.query as Record<string, string | string[] | undefined>;
        const single = (v: string | string[] | undefined) => (Array.isArray(v) ? v[v.length - 1] : v);
        const matrix = Object.fromEntries(matrixParts.map((p) => p.split('=') as [string, string]).filter(([k]) => k));
        const opts: MiOptions = matrixParts.length ? readOptions(matrix, true) : readOptions(Object.fromEntries(Object.entries(query).map(([k, v]) => [k, single(v)])), false);
        // Fields are the upper-case parameters; lower-case ones are options (`cono` stands for CONO).
        const input: Record<string, string> = {};
        for (const [k, v] of Object.entries(query)) if (/^[A-Z][A-Z0-9]{1,5}$/.test(k) && single(v) !== undefined) input[k] = single(v)!;
        const cono = single(query.cono) ?? matrix.cono;
        if (cono && input.CONO === undefined) input.CONO = cono;
        count(program, transaction);
        const answer = envelope([runTransaction(transaction, spec, input, opts, { data: erp, orders })]);
        if (spec.write && origin.shouldAcceptThenHang(request)) {
          origin.hang(request, reply);
          return reply;
        }
        return answer;
      });

      api.post('/execute', async (request, reply) => {
        const parsed = bulkSchema.safeParse(request.body ?? {});
        if (!parsed.success) return reply.code(400).send({ errorMessage: `invalid bulk request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, errorCode: 'INVALID_REQUEST' });
        const body = parsed.data;
        if (body.transactions.length > options.bulkMaxTransactions) {
          return reply.code(400).send({ errorMessage: `at most ${options.bulkMaxTransactions} transactions per request`, errorCode: 'TOO_MANY_TRANSACTIONS' });
        }
        const program = programs[body.program];
        if (!program) return unknown(reply, body.program);
        const missing = body.transactions.find((t) => !program[t.transaction]);
        if (missing) return unknown(reply, body.program, missing.transaction);
        const query = request.query as Record<string, string | undefined>;
        const base = readOptions(query, false);
        const results = body.transactions.map((t) => {
          count(body.program, t.transaction);
          const input = Object.fromEntries(Object.entries(t.record).map(([k, v]) => [k, String(v)]));
          if (body.cono !== undefined && input.CONO === undefined) input.CONO = String(body.cono);
          const opts: MiOptions = {
            ...base,
            ...(body.maxReturnedRecords !== undefined ? { maxRecords: body.maxReturnedRecords === 0 ? 10_000 : body.maxReturnedRecords } : {}),
            ...(t.selectedColumns ? { returnColumns: t.selectedColumns } : {}),
          };
          return runTransaction(t.transaction, program[t.transaction]!, input, opts, { data: erp, orders });
        });
        if (body.transactions.some((t) => program[t.transaction]!.write) && origin.shouldAcceptThenHang(request)) {
          origin.hang(request, reply);
          return reply;
        }
        return envelope(results);
      });
    },
    { prefix: `${prefix}/M3/m3api-rest/v2` },
  );

  // ---- sandbox admin --------------------------------------------------------------------------------
  app.get('/__sandbox/ionapi', async () => ionapi());
  app.get('/__sandbox/tokens', async () => ({ ttlSeconds: tokens.ttlSeconds(), live: tokens.live(), ...tokens.counters() }));
  app.post('/__sandbox/tokens', async (request, reply) => {
    const parsed = z.object({ ttlSeconds: z.number().int().min(1).max(864_000) }).strict().safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: 'invalid_request', error_description: parsed.error.message });
    tokens.setTtlSeconds(parsed.data.ttlSeconds);
    return { ttlSeconds: tokens.ttlSeconds() };
  });
  app.post('/__sandbox/tokens/revoke', async (request, reply) => {
    const parsed = z.object({ refreshTokens: z.boolean().default(false) }).strict().safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: 'invalid_request', error_description: parsed.error.message });
    return { revoked: tokens.revokeAll(parsed.data.refreshTokens) };
  });
  app.get('/__sandbox/limits', async () => throttle.policy());
  app.post('/__sandbox/limits', async (request, reply) => {
    const parsed = throttlePatchSchema.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: 'invalid_request', error_description: parsed.error.message });
    return throttle.setPolicy(parsed.data);
  });
  app.get('/__sandbox/mi', async () => ({ transactions: Object.fromEntries(counts) }));
  app.get('/__sandbox/orders', async () => ({ orders: orders.all() }));
  app.post('/__sandbox/items', async (request, reply) => {
    const parsed = z.object({ add: z.array(z.string().min(1).max(15)).min(1).max(1_000) }).strict().safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: 'invalid_request', error_description: parsed.error.message });
    return { added: erp.addItems(parsed.data.add) };
  });

  const listen = origin.listen.bind(origin);
  return Object.assign(origin, {
    tokens,
    throttle,
    erp,
    orders,
    ionapi,
    transactionCounts: () => Object.fromEntries(counts),
    async listen(port: number, host: string) {
      originUrl = await listen(port, host);
      return originUrl;
    },
  });
}
