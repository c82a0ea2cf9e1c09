/**
 * The OpenAPI 3.0 document of the WhatsApp Cloud API sandbox, served at
 * `/__sandbox/openapi.json`: the send endpoint as upstreams.md describes
 * it, the webhook it calls, and the sandbox's admin routes.
 */
import type { WhatsAppSandboxOptions } from '../options.js';

type Json = Record<string, unknown>;
const str = { type: 'string' };
const obj = (properties: Json): Json => ({ type: 'object', properties });
const json = (schema: Json, description = 'OK'): Json => ({ description, content: { 'application/json': { schema } } });
const admin = (summary: string): Json => ({ summary, tags: ['sandbox admin'], security: [], responses: { '200': json(obj({})) } });
const error = json(obj({ error: obj({ message: str, type: str, code: { type: 'integer', example: 131047 }, error_data: obj({ messaging_product: str, details: str }), error_subcode: { type: 'integer' }, fbtrace_id: str }) }), 'Graph API error');

export function buildWhatsAppOpenApi(o: WhatsAppSandboxOptions): Json {
  return {
    openapi: '3.0.3',
    info: { title: 'WhatsApp Cloud API (Crossdock sandbox)', version: o.apiVersion, description: `Phone number id ${o.phoneNumberId}, catalog ${o.catalogId}` },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: {
      [`/${o.apiVersion}/${o.phoneNumberId}/messages`]: {
        post: {
          summary: 'Send a text, template, product or product-list message',
          requestBody: { required: true, content: { 'application/json': { schema: obj({ messaging_product: { type: 'string', enum: ['whatsapp'] }, recipient_type: str, to: str, type: { type: 'string', enum: ['text', 'template', 'interactive'] }, biz_opaque_callback_data: str }) } } },
          responses: {
            '200': json(obj({ messaging_product: str, contacts: { type: 'array', items: obj({ input: str, wa_id: str }) }, messages: { type: 'array', items: obj({ id: str }) } })),
            '400': error,
            '401': error,
          },
        },
      },
      '/__sandbox/webhook': { get: admin('The registered webhook URL'), post: admin('Register a webhook URL {url, duplicate?, shuffle?} after the verification handshake') },
      '/__sandbox/inbound': { post: admin('A user writes {from, text?, timestamp?}: their 24-hour window opens, a messages webhook goes out') },
      '/__sandbox/messages': { get: admin('Accepted messages, refusals by code, webhook counters') },
      '/__sandbox/limits': { get: admin('Throughput, pair interval, window'), post: admin('Change them') },
      '/__sandbox/statuses': { get: admin('How statuses are reported'), post: admin('Change it {readReceipts?, delaysMs?: {sent, delivered, read}}') },
      '/__sandbox/token': { post: admin('Expire the access token {expired}: sends answer 190') },
      '/__sandbox/stats': { get: admin('Request counters') },
      '/__sandbox/faults': { get: admin('Injected faults'), post: admin('Set faults') },
      '/__sandbox/reset': { post: admin('Reset counters (and data with {"data": true})') },
    },
  };
}
