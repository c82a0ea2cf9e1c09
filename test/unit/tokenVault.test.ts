/**
 * Store tokens sealed at rest (src/auth/tokenVault.ts) and the settings that
 * govern them. The vault's storage runs in the record-store contract on both
 * engines (test/integration/recordStores.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseEncryptionKey } from '../../src/auth/securityConfig.js';
import { createTokenCipher } from '../../src/auth/tokenVault.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { z } from 'zod';
import { bigCommerceConfigSlice } from '../../src/connectors/bigcommerce/index.js';

const TOKEN = 'abcdefghijklmnopqrstuvwxyz01234';

describe('token cipher', () => {
  const cipher = createTokenCipher(randomBytes(32));

  it('round-trips, with a fresh 12-byte IV and a 16-byte tag per seal', () => {
    const a = cipher.seal(TOKEN, 'store1');
    const b = cipher.seal(TOKEN, 'store1');
    expect(a.iv).toHaveLength(12);
    expect(a.tag).toHaveLength(16);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(cipher.open(a, 'store1')).toBe(TOKEN);
  });

  it('refuses a ciphertext moved to another store, tampered with, or opened with another key', () => {
    const sealed = cipher.seal(TOKEN, 'store1');
    expect(cipher.open(sealed, 'store2')).toBeUndefined();
    const flipped = Buffer.from(sealed.ciphertext);
    flipped[0] = flipped[0]! ^ 1;
    expect(cipher.open({ ...sealed, ciphertext: flipped }, 'store1')).toBeUndefined();
    expect(createTokenCipher(randomBytes(32)).open(sealed, 'store1')).toBeUndefined();
  });

  it('wants exactly 32 bytes', () => {
    expect(() => createTokenCipher(randomBytes(16))).toThrow();
  });
});

describe('settings', () => {
  it('TOKEN_ENCRYPTION_KEY: 64 hex digits or base64 / base64url of 32 bytes', () => {
    const bytes = randomBytes(32);
    expect(parseEncryptionKey(bytes.toString('hex'))?.equals(bytes)).toBe(true);
    expect(parseEncryptionKey(bytes.toString('base64'))?.equals(bytes)).toBe(true);
    expect(parseEncryptionKey(bytes.toString('base64url'))?.equals(bytes)).toBe(true);
    expect(parseEncryptionKey(randomBytes(16).toString('hex'))).toBeUndefined();
    expect(parseEncryptionKey('correct horse battery staple')).toBeUndefined();
  });

  it('an invalid key is named, never echoed', () => {
    const value = 'my-secret-but-not-a-key-value';
    const err = (() => {
      try {
        loadConfig({ TOKEN_ENCRYPTION_KEY: value });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.message).toContain('TOKEN_ENCRYPTION_KEY');
    expect(err?.message).not.toContain(value);
  });

  it('the app needs both its id and secret; production with the app needs TOKEN_ENCRYPTION_KEY', () => {
    expect(() => loadConfig({ BIGCOMMERCE_APP_CLIENT_ID: 'id' })).toThrow(/BIGCOMMERCE_APP_CLIENT_SECRET/);
    const production = {
      CROSSDOCK_MODE: 'production',
      CROSSDOCK_API_KEYS: 'a:admin:aaaaaaaaaaaaaaaaaaaa',
      FINDITPARTS_BASE_URL: 'https://finditparts.example/api/v1',
      FINDITPARTS_API_KEY: 'api-key',
      BIGCOMMERCE_API_URL: 'https://api.bigcommerce.com/stores/abc/v3',
      BIGCOMMERCE_APP_CLIENT_ID: 'id',
      BIGCOMMERCE_APP_CLIENT_SECRET: 'secret',
      BIGCOMMERCE_APP_REDIRECT_URI: 'https://gateway.example/bigcommerce/auth',
    };
    expect(() => loadConfig(production)).toThrow(/TOKEN_ENCRYPTION_KEY/);
    // The exchange's redirect_uri is configuration in production, never a caller's Host header.
    const { BIGCOMMERCE_APP_REDIRECT_URI: _redirect, ...withoutRedirect } = production;
    expect(() => loadConfig({ ...withoutRedirect, TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') })).toThrow(/BIGCOMMERCE_APP_REDIRECT_URI/);
    // With the app, the static store token is optional: the install provides one.
    const withKey = { ...production, TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    const config = loadConfig(withKey);
    expect(config.connectors.find((c) => c.name === 'bigcommerce')?.plan.kind).toBe('configured');
    const problems: string[] = [];
    const state = bigCommerceConfigSlice.resolve(z.object(bigCommerceConfigSlice.env).parse(withKey), { mode: 'production', problems, all: { TOKEN_ENCRYPTION_KEY: config.security.tokenEncryptionKey } });
    expect(problems).toEqual([]);
    expect(state.configured && state.config.accessToken).toBe('');
    expect(state.configured && state.config.app).toEqual({ clientId: 'id', clientSecret: 'secret', loginUrl: 'https://login.bigcommerce.com/oauth2/token', redirectUri: 'https://gateway.example/bigcommerce/auth' });
    expect(config.security.tokenEncryptionKey).toHaveLength(32);
    expect(config.security.audit.retentionDays).toBe(90);
  });
});
