/**
 * The WhatsApp connector's pure parts (src/connectors/whatsapp/): phone
 * numbers (E.164 only, masked when shown), the message bodies it sends (one
 * product, a product list, the template), the vendor's codes in the
 * domain's terms, the webhook signature (constant-time, over the raw
 * bytes), the verified webhook body as events, and its config slice.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { whatsAppConfigSlice } from '../../src/connectors/whatsapp/index.js';
import { reasonOfCode } from '../../src/connectors/whatsapp/errorCodes.js';
import { LIMITS, wireMessage } from '../../src/connectors/whatsapp/messages.js';
import { sameSecret, verifyHubSignature } from '../../src/connectors/whatsapp/signature.js';
import { parseWebhook, withoutNumber } from '../../src/connectors/whatsapp/webhookEvents.js';
import { digitsOf, e164FromDigits, maskPhone, parseE164 } from '../../src/domain/phoneNumber.js';
import type { OutgoingMessage } from '../../src/domain/messagingPorts.js';

describe('phone numbers', () => {
  it('accepts E.164 only: +, a country code not starting with 0, 8 to 15 digits, nothing else', () => {
    for (const ok of ['+14155550123', '+442079460958', '+5511987654321', '+12345678', '+123456789012345']) expect(parseE164(ok), ok).toBe(ok);
    for (const bad of ['14155550123', '+0415555012', '+1 415 555 0123', '+1-415-555-0123', '+1234567', '+1234567890123456', '+1415555012a', '', '+', '++14155550123', '(415) 555-0123']) {
      expect(parseE164(bad), bad).toBeNull();
    }
    expect(parseE164(' +14155550123 ')).toBe('+14155550123');
  });

  it('masks a number to its first two and last two digits, and converts to and from the vendor’s digits', () => {
    expect(maskPhone('+14155550123')).toBe('+14*******23');
    expect(maskPhone('+442079460958')).toBe('+44********58');
    expect(digitsOf('+14155550123')).toBe('14155550123');
    expect(e164FromDigits('14155550123')).toBe('+14155550123');
    expect(e164FromDigits('0123')).toBeNull();
    expect(withoutNumber('recipient 14155550123 is not a WhatsApp user (+14155550123)', '14155550123')).toBe('recipient 14*******23 is not a WhatsApp user (+14*******23)');
  });
});

const message = (over: Partial<OutgoingMessage>): OutgoingMessage => ({ kind: 'PRODUCT', to: '+14155550123', products: [{ retailerId: 'BX-1', name: 'Brake Chamber' }], body: 'Here it is', reference: 'cd1:ref:1', ...over });
const settings = { catalogId: 'cat-1', template: { name: 'crossdock_products', language: 'en_US' } };

describe('message bodies (upstreams.md wire format)', () => {
  it('one product: an interactive product message naming the catalog and the retailer id', () => {
    expect(wireMessage(message({}), settings)).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+14155550123',
      biz_opaque_callback_data: 'cd1:ref:1',
      type: 'interactive',
      interactive: { type: 'product', body: { text: 'Here it is' }, action: { catalog_id: 'cat-1', product_retailer_id: 'BX-1' } },
    });
  });

  it('several products: a product list with a text header, a body and one section', () => {
    const products = [
      { retailerId: 'BX-1', name: 'Brake Chamber' },
      { retailerId: 'FG-2', name: 'Oil Filter' },
    ];
    const wire = wireMessage(message({ kind: 'PRODUCT_LIST', products }), settings);
    expect(wire).toMatchObject({
      type: 'interactive',
      interactive: {
        type: 'product_list',
        header: { type: 'text', text: 'Products (2)' },
        body: { text: 'Here it is' },
        action: { catalog_id: 'cat-1', sections: [{ title: 'Products', product_items: [{ product_retailer_id: 'BX-1' }, { product_retailer_id: 'FG-2' }] }] },
      },
    });
  });

  it('outside the window: the configured template, its body variable filled with the text', () => {
    expect(wireMessage(message({ kind: 'TEMPLATE' }), settings)).toMatchObject({
      type: 'template',
      template: { name: 'crossdock_products', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Here it is' }] }] },
    });
    expect(() => wireMessage(message({ kind: 'TEMPLATE' }), { ...settings, template: null })).toThrow(/no template/);
  });

  it('keeps to the API’s limits: 30 products, a 1,024-character body', () => {
    const many = Array.from({ length: LIMITS.products + 1 }, (_, i) => ({ retailerId: `P-${i}`, name: `P ${i}` }));
    expect(() => wireMessage(message({ kind: 'PRODUCT_LIST', products: many }), settings)).toThrow(/1 to 30/);
    const long = wireMessage(message({ body: 'x'.repeat(2_000) }), settings) as { interactive: { body: { text: string } } };
    expect(long.interactive.body.text).toHaveLength(LIMITS.bodyText);
  });
});

describe('vendor codes', () => {
  it('maps the codes upstreams.md names, and anything else as a refusal of the message', () => {
    expect(reasonOfCode(130429)).toBe('THROUGHPUT');
    expect(reasonOfCode('131056')).toBe('PAIR_RATE');
    expect(reasonOfCode(131047)).toBe('WINDOW_CLOSED');
    expect(reasonOfCode(131026)).toBe('UNDELIVERABLE');
    expect(reasonOfCode(190)).toBe('AUTH');
    expect(reasonOfCode(80007)).toBe('ACCOUNT_RATE');
    expect(reasonOfCode(131009)).toBe('REJECTED');
    expect(reasonOfCode(undefined)).toBe('REJECTED');
  });
});

describe('webhook signatures', () => {
  const secret = 'app-secret-for-tests';
  const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
  const sign = (b: Buffer, s = secret) => `sha256=${createHmac('sha256', s).update(b).digest('hex')}`;

  it('verifies HMAC-SHA256 of the exact bytes with the app secret', () => {
    expect(verifyHubSignature(body, sign(body), secret)).toBe(true);
    expect(verifyHubSignature(body, sign(body).toUpperCase().replace('SHA256=', 'sha256='), secret)).toBe(true);
  });

  it('refuses another secret, another body (one byte), a truncated, missing or malformed header', () => {
    expect(verifyHubSignature(body, sign(body, 'other-secret'), secret)).toBe(false);
    expect(verifyHubSignature(Buffer.from(`${body.toString()} `), sign(body), secret)).toBe(false);
    expect(verifyHubSignature(body, sign(body).slice(0, -2), secret)).toBe(false);
    expect(verifyHubSignature(body, undefined, secret)).toBe(false);
    expect(verifyHubSignature(body, sign(body).replace('sha256=', 'sha1='), secret)).toBe(false);
    expect(verifyHubSignature(body, 'sha256=', secret)).toBe(false);
  });

  it('compares in constant time: crypto.timingSafeEqual over digests, never string equality', () => {
    const source = readFileSync(new URL('../../src/connectors/whatsapp/signature.ts', import.meta.url), 'utf8');
    expect(source).toContain('timingSafeEqual(expected, Buffer.from(');
    expect(source).not.toMatch(/===\s*(expected|given|header)/);
    expect(sameSecret('sandbox-verify', 'sandbox-verify')).toBe(true);
    expect(sameSecret('sandbox-verifz', 'sandbox-verify')).toBe(false);
    expect(sameSecret('', 'sandbox-verify')).toBe(false);
    expect(sameSecret(undefined, 'sandbox-verify')).toBe(false);
  });
});

describe('webhook bodies as events', () => {
  const envelope = (value: Record<string, unknown>, phoneNumberId = 'phone-1') => ({
    object: 'whatsapp_business_account',
    entry: [{ id: 'waba', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550100000', phone_number_id: phoneNumberId }, ...value } }] }],
  });

  it('statuses: the vendor id, the status, its time, the recipient in E.164, the reference and errors with their reasons', () => {
    const parsed = parseWebhook(
      envelope({
        statuses: [
          { id: 'wamid.1', status: 'delivered', timestamp: '1893456000', recipient_id: '14155550123', biz_opaque_callback_data: 'cd1:x:1' },
          { id: 'wamid.2', status: 'failed', timestamp: '1893456001', recipient_id: '14155550123', errors: [{ code: 131026, title: 'Message undeliverable', error_data: { details: 'the recipient 14155550123 is not on WhatsApp' } }] },
          { id: 'wamid.3', status: 'deleted', timestamp: '1893456002', recipient_id: '14155550123' },
        ],
      }),
      'phone-1',
    );
    expect(parsed).toEqual({
      ok: true,
      events: [
        { kind: 'status', vendorMessageId: 'wamid.1', status: 'DELIVERED', at: '2030-01-01T00:00:00.000Z', recipient: '+14155550123', reference: 'cd1:x:1', errors: [] },
        {
          kind: 'status',
          vendorMessageId: 'wamid.2',
          status: 'FAILED',
          at: '2030-01-01T00:00:01.000Z',
          recipient: '+14155550123',
          reference: null,
          errors: [{ code: '131026', title: 'Message undeliverable', message: 'the recipient 14*******23 is not on WhatsApp', reason: 'UNDELIVERABLE' }],
        },
      ],
    });
  });

  it('a customer’s message opens the window; other numbers, other fields and other envelopes count for nothing', () => {
    expect(parseWebhook(envelope({ messages: [{ from: '14155550123', id: 'wamid.in', timestamp: '1893456000', type: 'text', text: { body: 'hi' } }] }), 'phone-1')).toEqual({
      ok: true,
      events: [{ kind: 'inbound', from: '+14155550123', at: '2030-01-01T00:00:00.000Z', vendorMessageId: 'wamid.in' }],
    });
    expect(parseWebhook(envelope({ statuses: [{ id: 'w', status: 'read', timestamp: '1' }] }, 'another-number'), 'phone-1')).toEqual({ ok: true, events: [] });
    expect(parseWebhook({ object: 'page', entry: [] }, 'phone-1')).toMatchObject({ ok: false });
    expect(parseWebhook('nonsense', 'phone-1')).toMatchObject({ ok: false });
  });
});

describe('the config slice', () => {
  const resolve = (values: Record<string, unknown>) => {
    const problems: string[] = [];
    const defaults = { WHATSAPP_TEMPLATE_LANGUAGE: 'en_US', WHATSAPP_MESSAGES_PER_SECOND: 80, WHATSAPP_RECIPIENT_INTERVAL_MS: 6_000 };
    return { state: whatsAppConfigSlice.resolve({ ...defaults, ...values }, { mode: 'production', problems, all: {} }), problems };
  };
  const full = { WHATSAPP_PHONE_NUMBER_ID: '1234567890', WHATSAPP_ACCESS_TOKEN: 'EAAG-token-value', WHATSAPP_APP_SECRET: 'app-secret-value', WHATSAPP_VERIFY_TOKEN: 'verify-token-value', WHATSAPP_CATALOG_ID: '987654321' };

  it('not configured without a phone number id or token: a state, not a problem', () => {
    expect(resolve({})).toEqual({ state: { configured: false, reason: 'WHATSAPP_PHONE_NUMBER_ID is not set' }, problems: [] });
  });

  it('configured: the Graph API by default, the template only when named, the pacing figures', () => {
    const { state, problems } = resolve({ ...full, WHATSAPP_TEMPLATE_NAME: 'spring_parts' });
    expect(problems).toEqual([]);
    expect(state).toEqual({
      configured: true,
      config: {
        apiUrl: 'https://graph.facebook.com/v21.0',
        phoneNumberId: '1234567890',
        accessToken: 'EAAG-token-value',
        appSecret: 'app-secret-value',
        verifyToken: 'verify-token-value',
        catalogId: '987654321',
        template: { name: 'spring_parts', language: 'en_US' },
        messagesPerSecond: 80,
        recipientIntervalMs: 6_000,
      },
    });
    expect((resolve(full).state as { config: { template: unknown } }).config.template).toBeNull();
  });

  it('half-configured: names each missing variable and short secrets, never a value', () => {
    const { state, problems } = resolve({ WHATSAPP_PHONE_NUMBER_ID: '1234567890', WHATSAPP_ACCESS_TOKEN: 'EAAG-token-value', WHATSAPP_APP_SECRET: 'short' });
    expect(state.configured).toBe(false);
    expect(problems.join('\n')).toMatch(/WHATSAPP_VERIFY_TOKEN, WHATSAPP_CATALOG_ID/);
    expect(problems.join('\n')).toMatch(/WHATSAPP_APP_SECRET must be at least 8 characters/);
    expect(problems.join('\n')).not.toContain('EAAG-token-value');
  });
});
