/** Secrets from files (NAME_FILE): read, trimmed, used as NAME would be; both set is an error naming the variable. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { hasFileTwin, resolveFileTwins } from '../../src/env/fileTwins.js';

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

  it("covers the ERP's secrets too, whose .ionapi names say nothing of secrets (cs, saak, sask)", () => {
    for (const name of ['ION_CS', 'ION_SAAK', 'ION_SASK', 'SHOPIFY_ACCESS_TOKEN', 'SHOPIFY_API_SECRET', 'WHATSAPP_ACCESS_TOKEN', 'WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN']) {
      expect(hasFileTwin(name), name).toBe(true);
    }
    for (const name of ['ION_TI', 'ION_CI', 'ION_IU', 'ION_PU']) expect(hasFileTwin(name), name).toBe(false);
    const config = loadConfig({
      CROSSDOCK_API_KEYS: 'ops:admin:ops-key-0123456789abcdef',
      ION_TI: 'TENANT',
      ION_CN: 'crossdock',
      ION_CI: 'TENANT~client',
      ION_CS_FILE: secretFile('ion-cs', 'client-secret-from-a-file'),
      ION_IU: 'http://127.0.0.1:3/TENANT',
      ION_PU: 'http://127.0.0.1:3/TENANT/as/',
      ION_OT: 'token.oauth2',
      ION_OR: 'revoke_token.oauth2',
      ION_SAAK_FILE: secretFile('ion-saak', 'TENANT#service-account'),
      ION_SASK_FILE: secretFile('ion-sask', 'service-account-secret'),
    });
    const ion = config.connectors.find((c) => c.name === 'ion');
    expect(ion?.plan.kind).toBe('configured');
    // Configured only because cs, saak and sask came from their files (without them ION is off, naming the
    // missing field); read trimmed, where the variables would have put them.
    const read = resolveFileTwins({ ION_SASK_FILE: secretFile('ion-sask-2', 'service-account-secret') }, ['ION_SASK']);
    expect(read).toEqual({ env: { ION_SASK: 'service-account-secret' }, problems: [] });
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
