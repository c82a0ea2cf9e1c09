/**
 * The BigCommerce single-click app flow (upstreams.md, "App OAuth"),
 * framework-free: the server folder adapts it to HTTP (bigcommerceRoutes.ts).
 *
 * - install: the auth callback's `code` is exchanged at the login endpoint
 *   (`POST …/oauth2/token`, JSON with client id and secret, code, context,
 *   scope, grant_type `authorization_code`, redirect_uri) for the store's
 *   access token, which goes into the vault, sealed.
 * - load / uninstall / remove_user: the callback's `signed_payload_jwt` is
 *   verified (HS256 or HS512 with the app client secret; `aud` = client id,
 *   `iss` = "bc", `sub` = "stores/{hash}", `exp`, `nbf`, `iat` with a small
 *   leeway) before anything is answered or changed. `alg: none` and every
 *   other algorithm are refused by the allow-list.
 */
import { errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { Logger } from '../../observability/logger.js';
import { registerSecret } from '../../observability/redact.js';
import type { TokenVault } from '../../auth/tokenVault.js';

export interface BigCommerceInstallOptions {
  clientId: string;
  clientSecret: string;
  /** The token endpoint, e.g. https://login.bigcommerce.com/oauth2/token. */
  loginUrl: string;
  vault: TokenVault;
  logger: Logger;
  /** Called after an install or an uninstall changed a store's token. */
  onChange?: (storeHash: string) => void | Promise<void>;
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. @default 60 */
  clockToleranceSeconds?: number;
  /** Oldest `iat` accepted (also refuses an `iat` in the future), in seconds. @default 172800 (two days; the vendor's payloads live one) */
  maxPayloadAgeSeconds?: number;
  /** Deadline of the code exchange. @default 10000 */
  exchangeTimeoutMs?: number;
}

export type InstallOutcome =
  | { kind: 'installed'; storeHash: string; scope: string; userId: number | null }
  /** The callback itself is malformed: 400. */
  | { kind: 'badRequest'; message: string }
  /** The login endpoint refused or failed: 502 (the vendor's error code only, never its body). */
  | { kind: 'exchangeFailed'; status: number | null; error: string };

export interface SignedPayload {
  storeHash: string;
  userId: number | null;
  ownerId: number | null;
  /** The path the control panel asked for (load). */
  url: string | null;
}

export type VerifyOutcome = { kind: 'valid'; payload: SignedPayload } | { kind: 'invalid'; reason: string };

export type LoadOutcome = { kind: 'invalid'; reason: string } | { kind: 'loaded'; payload: SignedPayload; installed: boolean };

export interface BigCommerceInstall {
  install(params: { code?: string; scope?: string; context?: string; redirectUri: string }): Promise<InstallOutcome>;
  verify(signedPayloadJwt: string | undefined): Promise<VerifyOutcome>;
  load(signedPayloadJwt: string | undefined): Promise<LoadOutcome>;
  uninstall(signedPayloadJwt: string | undefined): Promise<{ kind: 'invalid'; reason: string } | { kind: 'uninstalled'; storeHash: string; removed: boolean }>;
  removeUser(signedPayloadJwt: string | undefined): Promise<{ kind: 'invalid'; reason: string } | { kind: 'removed'; storeHash: string; userId: number | null }>;
}

const CONTEXT = /^stores\/([A-Za-z0-9]{1,64})$/;

const tokenResponse = z.object({
  access_token: z.string().min(1).max(4096),
  scope: z.string().max(4096).default(''),
  context: z.string(),
  user: z.object({ id: z.number().int() }).partial().optional(),
});

const payloadClaims = z.object({
  sub: z.string(),
  user: z.object({ id: z.number().int() }).partial().optional(),
  owner: z.object({ id: z.number().int() }).partial().optional(),
  url: z.string().optional(),
});

export function createBigCommerceInstall(options: BigCommerceInstallOptions): BigCommerceInstall {
  const { clientId, loginUrl, vault, logger } = options;
  registerSecret(options.clientSecret);
  const hmacKey = new TextEncoder().encode(options.clientSecret);
  const clockTolerance = options.clockToleranceSeconds ?? 60;
  const maxTokenAge = options.maxPayloadAgeSeconds ?? 172_800;
  const exchangeTimeoutMs = options.exchangeTimeoutMs ?? 10_000;

  async function verify(jwt: string | undefined): Promise<VerifyOutcome> {
    if (!jwt || jwt.length > 8192) return { kind: 'invalid', reason: 'missing' };
    try {
      const { payload } = await jwtVerify(jwt, hmacKey, {
        algorithms: ['HS256', 'HS512'],
        audience: clientId,
        issuer: 'bc',
        clockTolerance,
        maxTokenAge,
        requiredClaims: ['exp', 'sub'],
      });
      const claims = payloadClaims.safeParse(payload);
      const hash = claims.success ? CONTEXT.exec(claims.data.sub)?.[1] : undefined;
      if (!claims.success || !hash) return { kind: 'invalid', reason: 'sub' };
      return {
        kind: 'valid',
        payload: { storeHash: hash, userId: claims.data.user?.id ?? null, ownerId: claims.data.owner?.id ?? null, url: claims.data.url ?? null },
      };
    } catch (err) {
      // jose's codes (ERR_JWT_EXPIRED, ERR_JWS_SIGNATURE_VERIFICATION_FAILED…) and the failed claim say why.
      const reason =
        err instanceof joseErrors.JWTClaimValidationFailed || err instanceof joseErrors.JWTExpired
          ? `${err.code}:${err.claim}`
          : err instanceof joseErrors.JOSEError
            ? err.code
            : 'malformed';
      return { kind: 'invalid', reason };
    }
  }

  async function verified(jwt: string | undefined, callback: string): Promise<VerifyOutcome> {
    const v = await verify(jwt);
    if (v.kind === 'invalid') logger.warn({ callback, reason: v.reason }, 'bigcommerce signed_payload_jwt refused');
    return v;
  }

  return {
    verify,

    async install({ code, scope, context, redirectUri }) {
      const storeHash = context ? CONTEXT.exec(context)?.[1] : undefined;
      if (!code || code.length > 1024 || !storeHash || scope === undefined || scope.length > 4096) {
        return { kind: 'badRequest', message: 'the install callback needs code, scope and context=stores/{hash}' };
      }
      // The code is not registered as a secret: anyone may send one (registering them grew the redaction
      // set without bound, and a code such as "upstream" blanked that word from every log line). It is
      // masked by pattern instead, as a query parameter, a JSON member or a `code` property (redact.ts).
      // Plain fetch, not the connectors' client: the login endpoint has no store quota to pace against,
      // and a code works once, so a retry could only fail (the merchant installs again instead).
      let res: Response;
      try {
        res = await fetch(loginUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({
            client_id: clientId,
            client_secret: options.clientSecret,
            code,
            context: `stores/${storeHash}`,
            scope,
            grant_type: 'authorization_code',
            redirect_uri: redirectUri,
          }),
          redirect: 'error',
          signal: AbortSignal.timeout(exchangeTimeoutMs),
        });
      } catch (err) {
        logger.error({ storeHash, err }, 'bigcommerce code exchange failed: login endpoint unreachable');
        return { kind: 'exchangeFailed', status: null, error: 'unreachable' };
      }
      const body: unknown = await res.json().catch(() => undefined);
      if (!res.ok) {
        const error = typeof (body as { error?: unknown })?.error === 'string' ? String((body as { error: string }).error).slice(0, 64) : 'error';
        logger.warn({ storeHash, status: res.status, error }, 'bigcommerce code exchange refused');
        return { kind: 'exchangeFailed', status: res.status, error };
      }
      const parsed = tokenResponse.safeParse(body);
      if (!parsed.success || parsed.data.context !== `stores/${storeHash}`) {
        logger.error({ storeHash, status: res.status }, 'bigcommerce code exchange answered an unexpected body');
        return { kind: 'exchangeFailed', status: res.status, error: 'unexpected_response' };
      }
      const token = parsed.data;
      registerSecret(token.access_token);
      const userId = token.user?.id ?? null;
      await vault.put({ storeHash, accessToken: token.access_token, scope: token.scope, installedAt: new Date().toISOString(), userId });
      logger.info({ storeHash, scope: token.scope, userId }, 'bigcommerce app installed');
      await options.onChange?.(storeHash);
      return { kind: 'installed', storeHash, scope: token.scope, userId };
    },

    async load(jwt) {
      const v = await verified(jwt, 'load');
      if (v.kind === 'invalid') return v;
      const stored = await vault.get(v.payload.storeHash);
      return { kind: 'loaded', payload: v.payload, installed: stored.kind === 'installed' };
    },

    async uninstall(jwt) {
      const v = await verified(jwt, 'uninstall');
      if (v.kind === 'invalid') return v;
      const removed = await vault.delete(v.payload.storeHash);
      logger.info({ storeHash: v.payload.storeHash, removed }, 'bigcommerce app uninstalled; store token deleted');
      await options.onChange?.(v.payload.storeHash);
      return { kind: 'uninstalled', storeHash: v.payload.storeHash, removed };
    },

    async removeUser(jwt) {
      const v = await verified(jwt, 'remove_user');
      if (v.kind === 'invalid') return v;
      // The gateway keeps no per-user state: the store's token stays (it belongs to the store, not the user).
      logger.info({ storeHash: v.payload.storeHash, userId: v.payload.userId }, 'bigcommerce user removed from the app');
      return { kind: 'removed', storeHash: v.payload.storeHash, userId: v.payload.userId };
    },
  };
}
