/** What redaction masks and what it leaves alone (src/observability/redact.ts). */
import { describe, expect, it } from 'vitest';
import { redactText, registerSecret, scrubValue } from '../../src/observability/redact.js';

describe('redactText', () => {
  it.each([
    ['a JWT', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl here', 'eyJ'],
    ['an unsigned JWT', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'eyJ'],
    ['a bearer credential', 'Authorization failed for Bearer abc.def-123_456', 'abc.def-123_456'],
    ['a header in text', 'sent x-auth-token: 0123456789abcdef0123', '0123456789abcdef0123'],
    ['basic credentials', 'authorization: Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA'],
    // A vendor that echoes the credentials it refused in free text (issue 15: an OAuth2 token endpoint).
    ['basic credentials in free text', 'refused grant_type=password sent with Basic U0FOREJPWH5jbGllbnQ6c2VjcmV0 for you', 'U0FOREJPWH5jbGllbnQ6c2VjcmV0'],
    ['a Crossdock key', 'key cdk_dev_AbCdEfGhIjKlMnOpQr was refused', 'cdk_dev_AbCdEfGhIjKlMnOpQr'],
    ['a FinditParts static key', 'X-API-Key api-9f8e7d6c5b4a3210 rejected', 'api-9f8e7d6c5b4a3210'],
    ['an OAuth code in a URL', 'GET /bigcommerce/auth?code=qr6h3thvbvag2ffq&scope=x', 'qr6h3thvbvag2ffq'],
    ['a signed payload in a URL', '/load?signed_payload_jwt=abc.def.ghi', 'abc.def.ghi'],
    ['a secret JSON member', 'body {"client_secret":"s3cr3t-value","scope":"x"}', 's3cr3t-value'],
    ['an access token JSON member', '{"access_token": "t0k\\"en-1"}', 'en-1'],
    ['an email', 'contact jane.doe+parts@example.co.uk today', 'jane.doe+parts@example.co.uk'],
    ['an international phone', 'call +44 20 7946 0958 now', '7946 0958'],
    ['a US phone', 'call (614) 555-0199 or 614.555.0142', '555-0199'],
    // WhatsApp recipients (issue 16): E.164 as sent, and URL-encoded as a query string or form carries it.
    ['an E.164 number', 'sendProductMessage to +14155550123 refused', '4155550123'],
    ['an E.164 number URL-encoded', 'GET /x?to=%2B14155550123&y=1', '4155550123'],
    ['a street address', 'ship to 1600 Pennsylvania Avenue NW, Suite 4', 'Pennsylvania'],
    ['a short street address', 'at 42 Main St.', '42 Main St'],
    ['a ZIP+4', 'zip 43215-1234', '43215-1234'],
  ])('masks %s', (_name, text, secret) => {
    const out = redactText(text);
    expect(out).not.toContain(secret);
  });

  it('keeps what is not secret: prices, dates, ids, codes, counts', () => {
    const text = 'price 336.3200 at 2026-11-22T09:00:00.000Z job 3f1c2a9e-1b2c-4d5e-8f90-123456789abc code FORBIDDEN, 250 products, 5 req/s, part ABC-12345';
    expect(redactText(text)).toBe(text);
  });

  it('masks every registered secret, wherever it appears', () => {
    registerSecret('plain-looking-value-42');
    expect(redactText('oops: xplain-looking-value-42y')).toBe('oops: x[secret]y');
    registerSecret('short');
    expect(redactText('short')).toBe('short');
  });

  it('masks a registered secret URL-encoded too, as it travels in a form or a query string', () => {
    registerSecret('ACME#service-account key/1');
    expect(redactText('refused username=ACME%23service-account%20key%2F1&x=1')).not.toContain('service-account');
    expect(redactText('refused username=ACME%23service-account+key%2F1&x=1')).not.toContain('service-account');
  });
});

describe('scrubValue', () => {
  it('masks the phone-number fields of WhatsApp payloads (digits only, so no content pattern can tell them)', () => {
    const payload = {
      contacts: [{ input: '+14155550123', wa_id: '14155550123', profile: { name: 'Jane' } }],
      statuses: [{ id: 'wamid.x', status: 'read', recipient_id: '14155550123' }],
      messages: [{ from: '14155550123', id: 'wamid.y' }],
      metadata: { display_phone_number: '15550100000', phone_number_id: 'sandbox-phone' },
      recipient: '+14155550123',
    };
    const out = JSON.stringify(scrubValue(payload));
    expect(out).not.toContain('4155550123');
    expect(out).not.toContain('5550100000');
    // What identifies the business's number, the message and its status stays.
    expect(out).toContain('sandbox-phone');
    expect(out).toContain('wamid.x');
    expect(out).toContain('"status":"read"');
  });

  it('replaces secret- and PII-named properties at any depth, and scrubs every string', () => {
    const out = scrubValue({
      headers: { Authorization: 'Bearer x', 'X-API-Key': 'k', cookie: 'c' },
      nested: { deeper: { accessToken: 't', bcToken: 'b', client_secret: 's', password: 'p', email: 'a@b.cd', phoneNumber: '1' } },
      list: [{ note: 'mail me at a.b@example.com' }],
      keep: { name: 'finditparts', upstream: 'bigcommerce', status: 401, idempotencyKey: 'order-7' },
    });
    expect(out).toEqual({
      headers: { Authorization: '[redacted]', 'X-API-Key': '[redacted]', cookie: '[redacted]' },
      nested: { deeper: { accessToken: '[redacted]', bcToken: '[redacted]', client_secret: '[redacted]', password: '[redacted]', email: '[redacted]', phoneNumber: '[redacted]' } },
      list: [{ note: 'mail me at [email]' }],
      keep: { name: 'finditparts', upstream: 'bigcommerce', status: 401, idempotencyKey: 'order-7' },
    });
  });

  it('masks an address object but its state and country', () => {
    expect(scrubValue({ address: { name: 'Jane', street1: '1 A St', street2: 'x', city: 'Columbus', state: 'OH', zip: '43215', country: 'US' } })).toEqual({
      address: { name: '[redacted]', street1: '[redacted]', street2: '[redacted]', city: '[redacted]', state: 'OH', zip: '[redacted]', country: 'US' },
    });
    expect(scrubValue({ shippingAddress: 'one line' })).toEqual({ shippingAddress: 'one line' });
    expect(scrubValue({ address: '1600 Pennsylvania Avenue NW' })).toEqual({ address: '[redacted]' });
  });

  it('keeps error codes under `code` but masks an OAuth code', () => {
    expect(scrubValue({ code: 'FORBIDDEN', errno: 3 })).toEqual({ code: 'FORBIDDEN', errno: 3 });
    expect(scrubValue({ code: 404 })).toEqual({ code: 404 });
    expect(scrubValue({ query: { code: 'qr6h3thvbvag2ffq', context: 'stores/abc' } })).toEqual({ query: { code: '[redacted]', context: 'stores/abc' } });
  });

  it('serialises errors with scrubbed message, stack, properties and cause', () => {
    const cause = new Error('inner Bearer abcdefgh');
    const err = Object.assign(new Error('outer for x@example.com', { cause }), { code: 'ECONNRESET', token: 'secret-token' });
    const out = scrubValue(err) as Record<string, unknown>;
    expect(out.type).toBe('Error');
    expect(out.message).toBe('outer for [email]');
    expect(String(out.stack)).not.toContain('x@example.com');
    expect(out.code).toBe('ECONNRESET');
    expect(out.token).toBe('[redacted]');
    expect((out.cause as Record<string, unknown>).message).toBe('inner Bearer [redacted]');
  });

  it('survives cycles, depth, binary data, maps and odd values without throwing', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(scrubValue(a)).toEqual({ name: 'a', self: '[circular]' });
    let deep: Record<string, unknown> = { v: 1 };
    for (let i = 0; i < 20; i++) deep = { deep };
    expect(JSON.stringify(scrubValue(deep))).toContain('[depth]');
    expect(scrubValue({ buf: Buffer.from('secret') })).toEqual({ buf: '[binary 6 bytes]' });
    expect(scrubValue(new Map([['apiKey', 'k']]))).toEqual({ apiKey: '[redacted]' });
    expect(scrubValue({ n: 10n, f: () => 1, d: new Date(0) })).toEqual({ n: '10', f: undefined, d: '1970-01-01T00:00:00.000Z' });
    const hostile = { get boom() { throw new Error('no'); } };
    expect(() => scrubValue(hostile)).not.toThrow();
  });
});
