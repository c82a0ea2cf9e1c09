/**
 * FinditParts Reseller API auth: a fresh, short-lived JWT per request,
 * HS256-signed with the reseller client secret, `iss` = client id
 * (upstreams.md, FinditParts "Auth"). Signed here with node:crypto (RFC 7515
 * JWS compact serialisation, RFC 7519 claims); the sandbox verifies with an
 * independent library, so each checks the other.
 */
import { createHmac } from 'node:crypto';

export type FinditPartsIntent = 'PRODUCT_SEARCH' | 'SHIPPING_METHODS' | 'USER_SETUP' | 'NEW_ORDER';

export interface JwtOptions {
  clientId: string;
  clientSecret: string;
  /** Token lifetime in seconds; short by design. @default 60 */
  ttlSeconds?: number;
  /** Customer reference (`sub`). */
  subject?: string;
  intent?: FinditPartsIntent;
  now?: () => number;
}

const b64url = (input: Buffer | string): string => Buffer.from(input).toString('base64url');

export function signFinditPartsJwt(options: JwtOptions): string {
  const iat = Math.floor((options.now?.() ?? Date.now()) / 1000);
  const header = { alg: 'HS256', typ: 'JWT' };
  const payload: Record<string, unknown> = {
    iss: options.clientId,
    iat,
    exp: iat + (options.ttlSeconds ?? 60),
  };
  if (options.subject) payload.sub = options.subject;
  if (options.intent) payload.data = { intent: options.intent };
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = createHmac('sha256', options.clientSecret).update(signingInput).digest();
  return `${signingInput}.${b64url(signature)}`;
}
