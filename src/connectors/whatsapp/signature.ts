/**
 * Webhook authentication (upstreams.md): every event POST carries
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(raw body, app secret)>`,
 * computed over the exact bytes sent; the verification handshake echoes
 * `hub.challenge` only for the configured `hub.verify_token`. Both compare in
 * constant time (crypto.timingSafeEqual over equal-length digests), so a
 * near miss takes as long as a wild guess.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const HEADER = /^sha256=([0-9a-fA-F]{64})$/;

export function verifyHubSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  const m = header ? HEADER.exec(header.trim()) : null;
  if (!m) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(m[1] as string, 'hex'));
}

/** Equal texts, compared through their digests so neither length nor content shows in the time taken. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (v: string) => createHash('sha256').update(v, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
