/**
 * The simulated ION authorization server (upstreams.md, "Infor ION API"):
 * `POST {pu}{ot}` issues tokens by the password grant (the service account's
 * access and secret keys as username and password) and the refresh grant,
 * `POST {pu}{or}` revokes them (RFC 7009), and the API gateway asks here
 * whether a bearer token is live.
 *
 * Client authentication (RFC 6749 §2.3.1): HTTP Basic `ci:cs`, or
 * `client_id`/`client_secret` in the form — not both. Errors are RFC 6749
 * §5.2 bodies (`{error, error_description}`); a failed Basic authentication
 * is 401 with `WWW-Authenticate: Basic`.
 *
 * Sandbox choices (the vendor publishes no more): tokens are opaque random
 * strings; a refresh keeps the refresh token (no rotation); revoking a
 * refresh token also revokes the access tokens issued from it (RFC 7009
 * §2.1's SHOULD); the token lifetime can be changed at run time so tests see
 * refreshes without waiting two hours.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IonSandboxOptions } from '../options.js';

export interface TokenCounters {
  /** Tokens issued, by grant type. */
  grants: { password: number; refresh_token: number };
  /** Token requests refused (bad client, bad grant, unsupported grant). */
  refused: number;
  /** Revocation requests answered. */
  revocations: number;
  /** API calls refused because their bearer token was unknown, expired or revoked. */
  rejected: number;
}

export interface TokenGrantAnswer {
  status: number;
  headers?: Record<string, string>;
  body: Record<string, unknown>;
}

interface AccessRecord {
  expiresAt: number;
  refreshToken: string | undefined;
  revoked: boolean;
}

interface RefreshRecord {
  expiresAt: number;
  revoked: boolean;
}

export interface TokenAuthority {
  /** `POST {pu}{ot}` with the parsed form and the Authorization header. */
  grant(form: Record<string, string>, authorization: string | undefined): TokenGrantAnswer;
  /** `POST {pu}{or}`. */
  revoke(form: Record<string, string>, authorization: string | undefined): TokenGrantAnswer;
  /** Why a bearer token is refused, or undefined when it is live. */
  check(authorization: string | undefined): string | undefined;
  /** Revokes every live access token (and, with `refresh`, every refresh token): "revoked upstream". */
  revokeAll(refresh: boolean): number;
  /** Changes the lifetime of tokens issued from now on. */
  setTtlSeconds(seconds: number): void;
  ttlSeconds(): number;
  counters(): TokenCounters;
  /** Live access tokens now. */
  live(): number;
  resetCounters(): void;
  clear(): void;
}

const secretEquals = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const oauthError = (status: number, error: string, description: string, headers?: Record<string, string>): TokenGrantAnswer => ({
  status,
  ...(headers ? { headers } : {}),
  body: { error, error_description: description },
});

export function createTokenAuthority(options: IonSandboxOptions, now: () => number = Date.now): TokenAuthority {
  let ttlSeconds = options.tokenTtlSeconds;
  const access = new Map<string, AccessRecord>();
  const refresh = new Map<string, RefreshRecord>();
  let counters: TokenCounters = emptyCounters();

  function emptyCounters(): TokenCounters {
    return { grants: { password: 0, refresh_token: 0 }, refused: 0, revocations: 0, rejected: 0 };
  }

  /** RFC 6749 §2.3.1: the client's credentials, from Basic or from the form (never both). */
  function authenticateClient(form: Record<string, string>, authorization: string | undefined): TokenGrantAnswer | undefined {
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (basic && (form.client_id !== undefined || form.client_secret !== undefined)) {
      return oauthError(400, 'invalid_request', 'client credentials sent both in the Authorization header and in the body');
    }
    let id: string | undefined;
    let secret: string | undefined;
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return oauthError(401, 'invalid_client', 'malformed Basic credentials', { 'www-authenticate': 'Basic realm="ION"' });
      // RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
      id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    } else {
      id = form.client_id;
      secret = form.client_secret;
    }
    if (id === undefined || secret === undefined) return oauthError(401, 'invalid_client', 'client authentication required', { 'www-authenticate': 'Basic realm="ION"' });
    if (!secretEquals(id, options.clientId) || !secretEquals(secret, options.clientSecret)) {
      return basic ? oauthError(401, 'invalid_client', 'unknown client or wrong secret', { 'www-authenticate': 'Basic realm="ION"' }) : oauthError(400, 'invalid_client', 'unknown client or wrong secret');
    }
    return undefined;
  }

  function issue(refreshToken: string | undefined): Record<string, unknown> {
    const token = randomBytes(24).toString('base64url');
    access.set(token, { expiresAt: now() + ttlSeconds * 1000, refreshToken, revoked: false });
    // Expired records are dropped as new ones are made, so a long load does not grow the maps without end.
    if (access.size > 10_000) for (const [k, v] of access) if (v.expiresAt < now()) access.delete(k);
    return { access_token: token, token_type: 'Bearer', expires_in: ttlSeconds, ...(refreshToken ? { refresh_token: refreshToken } : {}) };
  }

  const refuse = (answer: TokenGrantAnswer) => {
    counters.refused++;
    return answer;
  };

  return {
    grant(form, authorization) {
      const clientProblem = authenticateClient(form, authorization);
      if (clientProblem) return refuse(clientProblem);
      switch (form.grant_type) {
        case 'password': {
          const user = form.username ?? '';
          const password = form.password ?? '';
          if (!secretEquals(user, options.serviceAccountAccessKey) || !secretEquals(password, options.serviceAccountSecretKey)) {
            return refuse(oauthError(400, 'invalid_grant', 'the service account keys are not valid'));
          }
          const refreshToken = randomBytes(24).toString('base64url');
          refresh.set(refreshToken, { expiresAt: now() + options.refreshTokenTtlSeconds * 1000, revoked: false });
          counters.grants.password++;
          return { status: 200, headers: { 'cache-control': 'no-store', pragma: 'no-cache' }, body: issue(refreshToken) };
        }
        case 'refresh_token': {
          const token = form.refresh_token ?? '';
          const record = refresh.get(token);
          if (!record || record.revoked || record.expiresAt <= now()) return refuse(oauthError(400, 'invalid_grant', 'the refresh token is not valid'));
          counters.grants.refresh_token++;
          return { status: 200, headers: { 'cache-control': 'no-store', pragma: 'no-cache' }, body: issue(token) };
        }
        case undefined:
          return refuse(oauthError(400, 'invalid_request', 'grant_type is required'));
        default:
          return refuse(oauthError(400, 'unsupported_grant_type', 'the sandbox issues tokens by the password and refresh_token grants'));
      }
    },

    revoke(form, authorization) {
      const clientProblem = authenticateClient(form, authorization);
      if (clientProblem) return refuse(clientProblem);
      const token = form.token;
      if (!token) return oauthError(400, 'invalid_request', 'token is required');
      counters.revocations++;
      // RFC 7009 §2.2: 200 whether or not the token was known; the hint is only a hint.
      const asRefresh = refresh.get(token);
      if (asRefresh) {
        asRefresh.revoked = true;
        for (const a of access.values()) if (a.refreshToken === token) a.revoked = true;
      }
      const asAccess = access.get(token);
      if (asAccess) asAccess.revoked = true;
      return { status: 200, body: {} };
    },

    check(authorization) {
      const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
      const why = (() => {
        if (!bearer?.[1]) return 'no bearer token';
        const record = access.get(bearer[1]);
        if (!record) return 'unknown token';
        if (record.revoked) return 'the token was revoked';
        if (record.expiresAt <= now()) return 'the token expired';
        return undefined;
      })();
      if (why) counters.rejected++;
      return why;
    },

    revokeAll(alsoRefresh) {
      let n = 0;
      for (const a of access.values()) {
        if (!a.revoked && a.expiresAt > now()) n++;
        a.revoked = true;
      }
      if (alsoRefresh) for (const r of refresh.values()) r.revoked = true;
      return n;
    },
    setTtlSeconds(seconds) {
      ttlSeconds = seconds;
    },
    ttlSeconds: () => ttlSeconds,
    counters: () => structuredClone(counters),
    live: () => [...access.values()].filter((a) => !a.revoked && a.expiresAt > now()).length,
    resetCounters() {
      counters = emptyCounters();
    },
    clear() {
      access.clear();
      refresh.clear();
      ttlSeconds = options.tokenTtlSeconds;
    },
  };
}
