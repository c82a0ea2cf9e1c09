/** Secrets from files (NAME_FILE): read, trimmed, used as NAME would be; both set is an error naming the variable. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { hasFileTwin } from '../../src/env/fileTwins.js';

const dir = mkdtempSync(join(tmpdir(), 'crossdock-secrets-'));
function secretFile(name: string, value: string): string {
  const path = join(dir, name);
  writeFileSync(path, `${value}\n`);
  return path;
}

describe('NAME_FILE twins', () => {
  it('covers the secret variables and not the others', () => {
    for (const name of ['FINDITPARTS_CLIENT_SECRET', 'FINDITPARTS_API_KEY', 'BIGCOMMERCE_ACCESS_TOKEN', 'BIGCOMMERCE_APP_CLIENT_SECRET', 'TOKEN_ENCRYPTION_KEY', 'REDIS_URL', 'DATABASE_URL']) {
      expect(hasFileTwin(name), name).toBe(true);
    }
    for (const name of ['CROSSDOCK_API_KEYS', 'FINDITPARTS_BASE_URL', 'PORT', 'LOG_LEVEL']) expect(hasFileTwin(name), name).toBe(false);
  });

  it('a secret read from its _FILE twin works as the variable does (trimmed)', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({
      CROSSDOCK_API_KEYS: 'ops:admin:ops-key-0123456789abcdef',
      FINDITPARTS_BASE_URL: 'http://127.0.0.1:1/api/v1',
      FINDITPARTS_CLIENT_ID: 'client',
      FINDITPARTS_CLIENT_SECRET_FILE: secretFile('fip-secret', 'from-a-file-secret'),
      BIGCOMMERCE_API_URL: 'http://127.0.0.1:2/stores/abc',
      BIGCOMMERCE_ACCESS_TOKEN_FILE: secretFile('bc-token', 'bc-token-from-file'),
      TOKEN_ENCRYPTION_KEY_FILE: secretFile('token-key', key),
    });
    expect(config.security.tokenEncryptionKey?.equals(Buffer.alloc(32, 7))).toBe(true);
    // The supplier and the store configured; the ERP not (no ION_API_FILE): off beside real upstreams.
    expect(config.connectors.map((c) => [c.name, c.plan.kind])).toEqual([
      ['finditparts', 'configured'],
      ['bigcommerce', 'configured'],
      ['ion', 'off'],
      ['shopify', 'off'],
      // TikTok's oEmbed is public (no credentials): on by default; WhatsApp needs its token.
      ['tiktok', 'configured'],
      ['whatsapp', 'off'],
    ]);
  });

  it('both set fails at start naming the variable, never the value; an unreadable file too', () => {
    const secret = 'the-inline-secret-value';
    let message = '';
    try {
      loadConfig({ FINDITPARTS_CLIENT_SECRET: secret, FINDITPARTS_CLIENT_SECRET_FILE: secretFile('dup', 'other') });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain('FINDITPARTS_CLIENT_SECRET and FINDITPARTS_CLIENT_SECRET_FILE are both set');
    expect(message).not.toContain(secret);
    expect(() => loadConfig({ TOKEN_ENCRYPTION_KEY_FILE: join(dir, 'missing') })).toThrow(/TOKEN_ENCRYPTION_KEY_FILE: the file cannot be read \(ENOENT\)/);
  });
});
