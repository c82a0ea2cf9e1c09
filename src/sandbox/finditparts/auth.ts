/**
 * Reseller API authentication. upstreams.md: `Authorization: Bearer <JWT>`, a
 * fresh short-lived JWT per request, HS256-signed with the reseller client
 * secret, `iss` = reseller client id, `exp` short, optional `sub` and
 * `data.intent`; some resellers get a static key instead (`X-API-Key`), so
 * both are accepted.
 *
 * The sandbox verifies with jose; the gateway's connector signs by hand with
 * node:crypto, so each implementation checks the other.
 */
import { errors, jwtVerify } from 'jose';

/** upstreams.md: `data.intent` in PRODUCT_SEARCH | SHIPPING_METHODS | USER_SETUP | NEW_ORDER. */
export const INTENTS = ['PRODUCT_SEARCH', 'SHIPPING_METHODS', 'USER_SETUP', 'NEW_ORDER'] as const;

/** Clock skew allowed on `exp`/`nbf`, in seconds. */
export const CLOCK_TOLERANCE_S = 5;
/** upstreams.md: `exp` short. The sandbox rejects tokens living longer than an hour. */
export const MAX_TOKEN_LIFETIME_S = 3600;

export interface AuthOptions {
  clientId: string;
  clientSecret: string;
  apiKey: string;
}

export type AuthResult =
  | { ok: true; /** Rate-limit key: one per credential. */ client: string; subject?: string; intent?: string }
  | { ok: false; message: string };

type HeaderValue = string | string[] | undefined;

function first(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function createAuthenticator(options: AuthOptions) {
  const key = new TextEncoder().encode(options.clientSecret);

  async function verifyJwt(token: string): Promise<AuthResult> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        issuer: options.clientId,
        requiredClaims: ['exp'],
        clockTolerance: CLOCK_TOLERANCE_S,
      }));
    } catch (err) {
      return { ok: false, message: describeJoseError(err) };
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.exp === 'number' && payload.exp - now > MAX_TOKEN_LIFETIME_S + CLOCK_TOLERANCE_S) {
      return { ok: false, message: `token lifetime too long: exp must be at most ${MAX_TOKEN_LIFETIME_S} s ahead` };
    }
    const data = payload['data'];
    let intent: string | undefined;
    if (data !== undefined) {
      if (data === null || typeof data !== 'object' || Array.isArray(data)) {
        return { ok: false, message: 'invalid claim: data must be an object' };
      }
      const raw = (data as Record<string, unknown>)['intent'];
      if (raw !== undefined) {
        if (typeof raw !== 'string' || !(INTENTS as readonly string[]).includes(raw)) {
          return { ok: false, message: `invalid claim: data.intent must be one of ${INTENTS.join(', ')}` };
        }
        intent = raw;
      }
    }
    const result: AuthResult = { ok: true, client: `jwt:${payload.iss ?? ''}` };
    if (typeof payload.sub === 'string') result.subject = payload.sub;
    if (intent) result.intent = intent;
    return result;
  }

  return {
    async authenticate(headers: Record<string, HeaderValue>): Promise<AuthResult> {
      const authorization = first(headers['authorization']);
      if (authorization !== undefined) {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
        if (!match?.[1]) return { ok: false, message: 'unsupported authorization scheme: expected Bearer <JWT>' };
        return verifyJwt(match[1]);
      }
      const apiKey = first(headers['x-api-key']);
      if (apiKey !== undefined) {
        if (apiKey !== options.apiKey) return { ok: false, message: 'invalid API key' };
        return { ok: true, client: `key:${apiKey}` };
      }
      return { ok: false, message: 'missing credentials: send Authorization: Bearer <JWT> or X-API-Key' };
    },
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;

function describeJoseError(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'token expired';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'invalid signature';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'invalid token: algorithm must be HS256';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return 'invalid issuer: iss must be the reseller client id';
    if (err.claim === 'exp') return 'invalid token: exp claim required';
    return `invalid claim: ${err.claim} (${err.reason})`;
  }
  if (err instanceof errors.JOSEError) return `invalid token: ${err.message}`;
  return 'invalid token';
}
