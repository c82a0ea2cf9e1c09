/**
 * redactText's gates (src/observability/redact.ts, issue 13): a pattern runs
 * only on a string that has what every one of its matches needs, so the
 * short strings of a request log line run none, and the output is exactly
 * what running every pattern on every string gives (checked on the masking
 * cases and on 20,000 seeded strings built from the patterns' own pieces).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { redactText, registerSecret, TEXT_PATTERNS } from '../../src/observability/redact.js';

/** Every pattern on every string, in order: what redaction means. */
function ungated(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) if (out.includes(secret)) out = out.split(secret).join('[secret]');
  for (const { re, replacement } of TEXT_PATTERNS) out = out.replace(re, replacement);
  return out;
}

const SECRET = 'registered-secret-value-77';

const PIECES = [
  'eyJ', 'eyJhbGciOiJIUzI1NiJ9', '.', '-', '_', ' ', '  ', '\t', '\n', ':', '=', '"', "'", '?', '&', ';', '#', ',', '}', '@', '+', '(', ')',
  'Bearer', 'bearer ', 'BEARER', 'Basic ', 'authorization', 'Authorization', 'X-API-KEY', 'x-auth-token', 'Cookie', 'cookie',
  'code', 'token', 'client_secret', 'signed_payload_jwt', 'api_key', 'key', 'cdk', 'CDK_', 'api', 'sk', 'pk_', 'rk', 'abcdefghijklmnop',
  'jane.doe', 'example.com', '.co', 'uk', '+44', '614', '555', '0199', '43215', '1234', '1600', 'Main', 'St', 'Avenue', 'NW', 'Suite', 'Apt',
  'P.O.', 'PO', 'Box', 'box', '7', '42', '2026-11-22T09:00:00.000Z', '3f1c2a9e-1b2c-4d5e-8f90-123456789abc', 'POST', '/graphql', 'request',
  'K', 'ſ', 'İ', 'é', SECRET,
];

function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

afterEach(() => vi.restoreAllMocks());

describe('redactText gates', () => {
  it('runs no pattern over the strings of a request log line', () => {
    const replace = vi.spyOn(RegExp.prototype, Symbol.replace);
    for (const s of ['POST', 'GET', '/graphql', '/ready', 'request', 'storefront', 'bench', 'unmatched', 'crossdock']) expect(redactText(s)).toBe(s);
    expect(replace).not.toHaveBeenCalled();
  });

  it('masks exactly what every pattern run on every string masks', () => {
    registerSecret(SECRET);
    const random = seeded(1313);
    const cases: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const n = 1 + Math.floor(random() * 12);
      let s = '';
      for (let j = 0; j < n; j++) s += PIECES[Math.floor(random() * PIECES.length)];
      cases.push(s);
    }
    let masked = 0;
    for (const s of cases) {
      const expected = ungated(s, [SECRET]);
      if (expected !== s) masked++;
      expect(redactText(s), JSON.stringify(s)).toBe(expected);
    }
    // The corpus does reach the patterns: a good share of it is masked.
    expect(masked).toBeGreaterThan(cases.length / 10);
  });
});
