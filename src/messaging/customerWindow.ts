/**
 * The customer service window (upstreams.md, WhatsApp): interactive and
 * free-form messages may go only within 24 hours of the customer's last
 * message; after that only a template. The gateway learns of customer
 * messages from the vendor's webhooks; a refusal as outside the window
 * (131047) closes it until the customer writes again, whatever the gateway
 * believed.
 */
import type { ContactWindow } from './messageStore.js';

export function windowOpen(contact: ContactWindow | undefined, now: number, windowMs: number): boolean {
  if (!contact?.lastInboundAt) return false;
  const last = Date.parse(contact.lastInboundAt);
  if (!(last > now - windowMs)) return false;
  return !contact.windowRefusedAt || last > Date.parse(contact.windowRefusedAt);
}
