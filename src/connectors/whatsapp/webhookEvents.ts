/**
 * A verified webhook body as domain events (upstreams.md): envelope
 * `{object:"whatsapp_business_account", entry:[{id, changes:[{field:"messages",
 * value:{metadata:{phone_number_id}, statuses:[…] | messages:[…]}}]}]}`.
 *
 * Only changes of the `messages` field for this connector's phone number id
 * count (the app may be subscribed for several numbers). A status names the
 * vendor's message id, `sent|delivered|read|failed` (others, such as
 * `deleted`, are not delivery states and are skipped), the vendor's time
 * (unix seconds), the recipient, the echoed reference and any errors; a
 * customer's message opens their window. Numbers come digits-only and are
 * turned into E.164.
 */
import { z } from 'zod';
import { e164FromDigits, maskPhone } from '../../domain/phoneNumber.js';
import type { DeliveryStatus, MessagingEvent } from '../../domain/messagingPorts.js';
import { reasonOfCode } from './errorCodes.js';

const code = z.union([z.number(), z.string()]).transform(String);
const wireError = z.object({ code, title: z.string().optional(), message: z.string().optional(), error_data: z.object({ details: z.string().optional() }).partial().optional() }).passthrough();
const status = z
  .object({
    id: z.string().min(1).max(256),
    status: z.string(),
    timestamp: z.union([z.string(), z.number()]).optional(),
    recipient_id: z.string().optional(),
    biz_opaque_callback_data: z.string().optional(),
    errors: z.array(wireError).optional(),
  })
  .passthrough();
const inbound = z.object({ from: z.string(), id: z.string().min(1).max(256), timestamp: z.union([z.string(), z.number()]).optional() }).passthrough();
const envelope = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z
      .object({
        changes: z.array(
          z
            .object({
              field: z.string(),
              value: z
                .object({
                  metadata: z.object({ phone_number_id: z.string() }).passthrough().optional(),
                  statuses: z.array(status).optional(),
                  messages: z.array(inbound).optional(),
                })
                .passthrough(),
            })
            .passthrough(),
        ),
      })
      .passthrough(),
  ),
});

const STATUSES: Readonly<Record<string, DeliveryStatus>> = { sent: 'SENT', delivered: 'DELIVERED', read: 'READ', failed: 'FAILED' };

/** Unix seconds as ISO-8601; the receipt time when absent or not a time. */
function timeOf(timestamp: string | number | undefined): string {
  const seconds = Number(timestamp);
  return timestamp !== undefined && Number.isFinite(seconds) && seconds > 0 && seconds < 1e11 ? new Date(seconds * 1000).toISOString() : new Date().toISOString();
}

/** A vendor's text with a number it may quote (digits-only, or with its +) masked. */
export function withoutNumber(text: string, digits: string | undefined): string {
  if (!digits || digits.length < 6) return text;
  return text.split(digits).join(maskPhone(`+${digits}`).slice(1));
}

export type ParsedWebhook = { ok: true; events: MessagingEvent[] } | { ok: false; why: string };

export function parseWebhook(body: unknown, phoneNumberId: string): ParsedWebhook {
  const parsed = envelope.safeParse(body);
  if (!parsed.success) return { ok: false, why: 'not a whatsapp_business_account envelope' };
  const events: MessagingEvent[] = [];
  for (const entry of parsed.data.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages' || change.value.metadata?.phone_number_id !== phoneNumberId) continue;
      for (const s of change.value.statuses ?? []) {
        const delivery = STATUSES[s.status];
        if (!delivery) continue;
        events.push({
          kind: 'status',
          vendorMessageId: s.id,
          status: delivery,
          at: timeOf(s.timestamp),
          recipient: s.recipient_id ? e164FromDigits(s.recipient_id) : null,
          reference: s.biz_opaque_callback_data ?? null,
          errors: (s.errors ?? []).map((e) => {
            const text = e.error_data?.details ?? e.message;
            return { code: e.code, title: withoutNumber(e.title ?? 'error', s.recipient_id), message: text === undefined ? null : withoutNumber(text, s.recipient_id), reason: reasonOfCode(e.code) };
          }),
        });
      }
      for (const m of change.value.messages ?? []) {
        const from = e164FromDigits(m.from);
        if (from) events.push({ kind: 'inbound', from, at: timeOf(m.timestamp), vendorMessageId: m.id });
      }
    }
  }
  return { ok: true, events };
}
