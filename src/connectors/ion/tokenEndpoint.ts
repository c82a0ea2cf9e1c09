/**
 * The ION authorization server's endpoints (upstreams.md, "Token"), on the
 * shared HTTP machinery: `POST {pu}{ot}` form-encoded with the password
 * grant (the service account's access and secret keys as username and
 * password) or the refresh grant, and `POST {pu}{or}` to revoke (RFC 7009).
 * The client authenticates with HTTP Basic `ci:cs` on every call (RFC 6749
 * §2.3.1, which upstreams.md allows for both grants), so its secret is never
 * in a body a proxy might log.
 */
import type { UpstreamClient, UpstreamVendor } from '../../upstreams/http.js';
import { parseRetryAfter } from '../../upstreams/retryAfter.js';
import { UpstreamError } from '../../upstreams/upstreamError.js';
import type { IonCredentials } from './ionapi.js';
import { ionErrorMessage, isTokenAnswer } from './wire.js';

export interface IonToken {
  accessToken: string;
  /** Absent when the grant gave none (then only the password grant renews it). */
  refreshToken?: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Epoch ms: when it was issued, so its lifetime is known. */
  obtainedAt: number;
}

export interface TokenEndpoint {
  password(): Promise<IonToken>;
  /** A new access token from a refresh token (kept when the answer carries no new one, RFC 6749 §6). */
  refresh(refreshToken: string): Promise<IonToken>;
  /** Whether the credentials name a revocation endpoint. */
  readonly canRevoke: boolean;
  revoke(token: string, hint: 'access_token' | 'refresh_token'): Promise<void>;
}

/** RFC 6749 §2.3.1: each part is form-urlencoded before the Basic encoding. */
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** How the authorization server is spoken to: Basic client auth, Retry-After on a 429, RFC 6749 error bodies. */
export function ionAuthVendor(credentials: IonCredentials): UpstreamVendor {
  const authorization = basic(credentials.clientId, credentials.clientSecret);
  return {
    authHeaders: () => ({ authorization }),
    quotaReport(status, headers) {
      const retryAfterMs = status === 429 ? parseRetryAfter(headers['retry-after']) : undefined;
      return retryAfterMs !== undefined ? { retryAfterMs } : {};
    },
    errorMessage: ionErrorMessage,
  };
}

/** Deadline of one token call, retries included: a refresh must not hold reads for long. */
const TOKEN_CALL_MS = 10_000;

export function createTokenEndpoint(http: UpstreamClient, credentials: IonCredentials, now: () => number = Date.now): TokenEndpoint {
  const path = (p: string) => p.split('/').filter(Boolean);

  async function grant(form: Record<string, string>, keepRefresh?: string): Promise<IonToken> {
    const started = now();
    const res = await http.request({
      method: 'POST',
      path: path(credentials.tokenPath),
      form,
      endpoint: `token.${form.grant_type}`,
      lane: 'interactive',
      // Asking again for a token is harmless: at worst the first one is never used.
      idempotent: true,
      timeoutMs: TOKEN_CALL_MS,
    });
    if (res.status === 404) throw new UpstreamError('rejected', http.name, 'the token endpoint answered 404 (check pu and ot)', { status: 404 });
    if (!isTokenAnswer(res.body)) throw new UpstreamError('rejected', http.name, 'the token endpoint answered without an access token');
    const body = res.body;
    if (body.token_type && body.token_type.toLowerCase() !== 'bearer') throw new UpstreamError('rejected', http.name, `unexpected token type ${body.token_type}`);
    return {
      accessToken: body.access_token,
      refreshToken: body.refresh_token ?? keepRefresh,
      obtainedAt: started,
      // From when it was asked for: the server's clock started before the answer reached us.
      expiresAt: started + Math.max(1, body.expires_in) * 1000,
    };
  }

  return {
    password: () => grant({ grant_type: 'password', username: credentials.serviceAccountAccessKey, password: credentials.serviceAccountSecretKey }),
    refresh: (refreshToken) => grant({ grant_type: 'refresh_token', refresh_token: refreshToken }, refreshToken),
    canRevoke: Boolean(credentials.revokePath),
    async revoke(token, hint) {
      if (!credentials.revokePath) return;
      await http.request({ method: 'POST', path: path(credentials.revokePath), form: { token, token_type_hint: hint }, endpoint: 'token.revoke', lane: 'interactive', idempotent: true, timeoutMs: 2_000 });
    },
  };
}
