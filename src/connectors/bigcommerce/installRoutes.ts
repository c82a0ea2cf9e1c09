/**
 * The BigCommerce app callbacks over HTTP (the core is
 * src/auth/bigcommerceInstall.ts). BigCommerce calls them from the merchant's
 * control panel, so they carry no API key: they are on the auth hook's public
 * list, and what authenticates them is the one-time `code` (which only the
 * login endpoint can redeem, with the client secret) or the
 * `signed_payload_jwt` (HMAC with the client secret).
 *
 *   GET /bigcommerce/auth?code&scope&context   install: exchange the code, seal the token
 *   GET /bigcommerce/load?signed_payload_jwt   the app's page in the control panel
 *   GET /bigcommerce/uninstall?signed_payload_jwt   delete the store's token
 *   GET /bigcommerce/remove_user?signed_payload_jwt acknowledge
 *
 * Pages are small, self-contained HTML (JSON when asked for with Accept),
 * never cached, never sending a Referer (the URL carries the code or JWT),
 * and frameable only by the BigCommerce control panel.
 *
 * The auth callback is public and each call costs an outbound POST carrying
 * the client secret, so it is counted per client address (`authLimiter`)
 * before anything else happens; over the budget it is 429 with Retry-After
 * (RFC 9110 §10.2.3). Its `redirect_uri` comes from configuration, never from
 * the request's Host header, which the caller chooses.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { BigCommerceInstall } from './install.js';

export interface BigCommerceRoutesOptions {
  /** The install flow; undefined when the app is not configured (every callback answers 404). */
  install?: BigCommerceInstall;
  /** The store the connector talks to: its installed token replaces the static one. */
  storeHash?: string;
  /**
   * The exchange's `redirect_uri`: BIGCOMMERCE_APP_REDIRECT_URI, or (development) the gateway's own
   * listen URL. A function, as the listen URL is known only once the server listens.
   */
  redirectUri: () => string;
  /** Counts auth callbacks per client address (one point each). @default unlimited */
  authLimiter?: RateLimiterAbstract;
  /** @default '/bigcommerce' */
  prefix?: string;
}

type Query = Record<string, unknown>;

/** A repeated parameter (`?code=a&code=b`) arrives as an array: only a single value counts. */
const one = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem;color:#1d2733}h1{font-size:1.3rem}code{background:#f1f3f5;padding:0 .3em}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function send(request: FastifyRequest, reply: FastifyReply, status: number, json: Record<string, unknown>, title: string, html: string) {
  reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self' https://*.bigcommerce.com https://*.mybigcommerce.com")
    // The control panel frames these pages: frame-ancestors above says who may, so no blanket X-Frame-Options.
    .removeHeader('x-frame-options');
  const accept = request.headers.accept ?? '';
  if (accept.includes('application/json') && !accept.includes('text/html')) {
    return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(json));
  }
  return reply.header('content-type', 'text/html; charset=utf-8').send(page(title, html));
}

const refused = (request: FastifyRequest, reply: FastifyReply) =>
  send(
    request,
    reply,
    401,
    { error: { code: 'UNAUTHENTICATED', message: 'signed_payload_jwt is missing or not valid' } },
    'Not authorised',
    '<p>This request did not come from BigCommerce (its signed payload is missing, expired or not valid).</p>',
  );

export function registerBigCommerceRoutes(app: FastifyInstance, options: BigCommerceRoutesOptions): void {
  const prefix = options.prefix ?? '/bigcommerce';
  const { install } = options;

  const notConfigured = (request: FastifyRequest, reply: FastifyReply) =>
    send(
      request,
      reply,
      404,
      { error: { code: 'NOT_FOUND', message: 'the BigCommerce app is not configured (BIGCOMMERCE_APP_CLIENT_ID)' } },
      'Not configured',
      '<p>The BigCommerce app is not configured on this gateway.</p>',
    );

  /** The seconds to wait when the address has spent its budget; undefined when admitted. */
  async function throttled(request: FastifyRequest): Promise<number | undefined> {
    if (!options.authLimiter) return undefined;
    try {
      await options.authLimiter.consume(request.ip, 1);
      return undefined;
    } catch (err) {
      if (err instanceof RateLimiterRes) return Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw err;
    }
  }

  app.get<{ Querystring: Query }>(`${prefix}/auth`, async (request, reply) => {
    const wait = await throttled(request);
    if (wait !== undefined) {
      reply.header('retry-after', String(wait));
      return send(
        request,
        reply,
        429,
        { error: { code: 'RATE_LIMITED', message: `too many install callbacks from this address; retry in ${wait} s`, retryAfterSeconds: wait } },
        'Too many requests',
        `<p>Too many install attempts from this address. Try again in ${wait} seconds.</p>`,
      );
    }
    if (!install) return notConfigured(request, reply);
    const q = request.query;
    const r = await install.install({ code: one(q.code), scope: one(q.scope), context: one(q.context), redirectUri: options.redirectUri() });
    switch (r.kind) {
      case 'installed': {
        const connected = r.storeHash === options.storeHash;
        return send(
          request,
          reply,
          200,
          { installed: true, storeHash: r.storeHash, scope: r.scope, connected },
          'Crossdock is installed',
          `<p>Store <code>${escapeHtml(r.storeHash)}</code> is connected.</p>` +
            (connected ? '<p>The gateway now calls this store with the token from this install.</p>' : '<p>This gateway is configured for another store; the token is kept but not used.</p>'),
        );
      }
      case 'badRequest':
        return send(request, reply, 400, { error: { code: 'BAD_REQUEST', message: r.message } }, 'Bad request', `<p>${escapeHtml(r.message)}</p>`);
      case 'exchangeFailed':
        return send(
          request,
          reply,
          502,
          { error: { code: 'UPSTREAM_ERROR', message: `BigCommerce refused the code exchange (${r.error})` } },
          'Install failed',
          `<p>BigCommerce refused the code exchange (<code>${escapeHtml(r.error)}</code>). Try installing again.</p>`,
        );
      default: {
        const never: never = r;
        throw new Error(`unexpected install outcome ${String(never)}`);
      }
    }
  });

  app.get<{ Querystring: Query }>(`${prefix}/load`, async (request, reply) => {
    if (!install) return notConfigured(request, reply);
    const r = await install.load(one(request.query.signed_payload_jwt));
    if (r.kind === 'invalid') return refused(request, reply);
    const { storeHash } = r.payload;
    const connected = storeHash === options.storeHash;
    return send(
      request,
      reply,
      200,
      { storeHash, installed: r.installed, connected },
      'Crossdock',
      `<p>Store <code>${escapeHtml(storeHash)}</code>: ${r.installed ? 'installed' : 'not installed (install the app again)'}${
        r.installed && connected ? ', and the gateway calls the store with this install’s token.' : '.'
      }</p>`,
    );
  });

  app.get<{ Querystring: Query }>(`${prefix}/uninstall`, async (request, reply) => {
    if (!install) return notConfigured(request, reply);
    const r = await install.uninstall(one(request.query.signed_payload_jwt));
    if (r.kind === 'invalid') return refused(request, reply);
    return send(request, reply, 200, { uninstalled: true, storeHash: r.storeHash, removed: r.removed }, 'Uninstalled', '<p>The store token is deleted.</p>');
  });

  app.get<{ Querystring: Query }>(`${prefix}/remove_user`, async (request, reply) => {
    if (!install) return notConfigured(request, reply);
    const r = await install.removeUser(one(request.query.signed_payload_jwt));
    if (r.kind === 'invalid') return refused(request, reply);
    return send(request, reply, 200, { removed: true, storeHash: r.storeHash }, 'User removed', '<p>Acknowledged.</p>');
  });
}
