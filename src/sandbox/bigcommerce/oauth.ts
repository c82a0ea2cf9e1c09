/**
 * The single-click app install flow (upstreams.md, "App OAuth"): the token
 * exchange the vendor serves at `https://login.bigcommerce.com/oauth2/token`,
 * here at this origin's root, and a sandbox helper that mints the
 * `signed_payload_jwt` the load / uninstall / remove-user callbacks carry.
 *
 * Sandbox choices: an authorization code works once (a second exchange is
 * 400 invalid_grant); the body may be JSON or form-encoded; issued tokens
 * never expire and survive a data reset.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { z } from 'zod';
import type { BigCommerceSandboxOptions } from '../options.js';

export const MERCHANT = { id: 24_654, username: 'merchant@example.com', email: 'merchant@example.com' } as const;

/** Tokens the store accepts in `X-Auth-Token`: the configured one and every one issued here. */
export class TokenRegistry {
  private readonly issued = new Set<string>();

  constructor(private readonly staticToken: string) {}

  accepts(token: string | undefined): boolean {
    return token !== undefined && token !== '' && (token === this.staticToken || this.issued.has(token));
  }

  issue(): string {
    const token = randomBytes(16).toString('hex').slice(0, 31);
    this.issued.add(token);
    return token;
  }
}

function accountUuid(storeHash: string): string {
  const h = createHash('sha1').update(`account:${storeHash}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const tokenRequestSchema = z.object({
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  code: z.string().min(1),
  context: z.string().min(1),
  scope: z.string(),
  grant_type: z.string().min(1),
  redirect_uri: z.string().min(1),
});

const signedPayloadSchema = z
  .object({
    sub: z.string().optional(),
    aud: z.string().optional(),
    iss: z.string().optional(),
    /** Negative values mint an already-expired token. */
    expSecondsFromNow: z.number().int().min(-86_400 * 365).max(86_400 * 365).optional(),
    alg: z.enum(['HS256', 'HS512']).optional(),
    secret: z.string().min(1).optional(),
    user: z.object({ id: z.number().int(), email: z.string(), locale: z.string().optional() }).optional(),
    owner: z.object({ id: z.number().int(), email: z.string() }).optional(),
    url: z.string().optional(),
  })
  .strict();

export function registerOAuthRoutes(app: FastifyInstance, options: BigCommerceSandboxOptions, tokens: TokenRegistry): void {
  const usedCodes = new Set<string>();
  const context = `stores/${options.storeHash}`;

  // The vendor accepts the exchange form-encoded too.
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
  }

  app.post('/oauth2/token', async (request, reply) => {
    const parsed = tokenRequestSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
      return reply.code(400).send({ error: 'invalid_request', message: `Missing or invalid fields: ${fields}.` });
    }
    const body = parsed.data;
    if (body.client_id !== options.appClientId || body.client_secret !== options.appClientSecret) {
      return reply.code(401).send({ error: 'invalid_client', message: 'Invalid client id or client secret.' });
    }
    if (body.grant_type !== 'authorization_code') {
      return reply.code(400).send({ error: 'unsupported_grant_type', message: 'grant_type must be authorization_code.' });
    }
    if (body.context !== context) {
      return reply.code(400).send({ error: 'invalid_request', message: `Unknown context ${body.context}.` });
    }
    if (usedCodes.has(body.code)) {
      return reply.code(400).send({ error: 'invalid_grant', message: 'The authorization code has already been used.' });
    }
    usedCodes.add(body.code);
    return {
      access_token: tokens.issue(),
      scope: body.scope,
      user: { ...MERCHANT },
      owner: { ...MERCHANT },
      context,
      account_uuid: accountUuid(options.storeHash),
    };
  });

  // Sandbox helper: a signed_payload_jwt as the vendor sends to the load / uninstall / remove-user callbacks.
  app.post('/__sandbox/signed-payload', async (request, reply) => {
    const parsed = signedPayloadSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      return reply.code(400).send({ error: 'invalid signed-payload request', detail: parsed.error.issues.map((i) => i.message) });
    }
    const p = parsed.data;
    const now = Math.floor(Date.now() / 1000);
    const alg = p.alg ?? 'HS256';
    const jwt = await new SignJWT({
      user: p.user ?? { id: MERCHANT.id, email: MERCHANT.email, locale: 'en-US' },
      owner: p.owner ?? { id: MERCHANT.id, email: MERCHANT.email },
      url: p.url ?? '/',
      channel_id: null,
    })
      .setProtectedHeader({ alg, typ: 'JWT' })
      .setAudience(p.aud ?? options.appClientId)
      .setIssuer(p.iss ?? 'bc')
      .setSubject(p.sub ?? context)
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(now + (p.expSecondsFromNow ?? 86_400))
      .setJti(randomUUID())
      .sign(new TextEncoder().encode(p.secret ?? options.appClientSecret));
    return { signed_payload_jwt: jwt };
  });
}
