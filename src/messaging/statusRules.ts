/**
 * How a vendor's status event moves a message: forwards only, idempotently
 * (upstreams.md: "Statuses may skip `delivered` and arrive out of order").
 *
 * - sent < delivered < read: a status applies only when it is ahead of the
 *   message's, so a duplicate changes nothing and a late `delivered` after
 *   `read` changes nothing; `delivered` may be skipped.
 * - failed applies before delivery (a message delivered or read did not
 *   fail), and is final, as read is.
 * - a message not sent yet (queued, sending) or whose send's outcome was
 *   unknown takes any status: the vendor has it (the event names it).
 */
import type { DeliveryStatus } from '../domain/messagingPorts.js';
import type { MessageStatus } from './types.js';

const RANK: Record<MessageStatus, number> = { QUEUED: 0, SENDING: 0, UNKNOWN: 0, SENT: 1, DELIVERED: 2, READ: 3, FAILED: 3 };

export type StatusVerdict = { apply: true; to: MessageStatus } | { apply: false; why: 'duplicate' | 'behind' | 'final' };

export function statusVerdict(current: MessageStatus, incoming: DeliveryStatus): StatusVerdict {
  if (current === 'FAILED' || current === 'READ') return current === incoming ? { apply: false, why: 'duplicate' } : { apply: false, why: 'final' };
  if (incoming === 'FAILED') return RANK[current] < RANK.DELIVERED ? { apply: true, to: 'FAILED' } : { apply: false, why: 'behind' };
  if (incoming === current) return { apply: false, why: 'duplicate' };
  return RANK[incoming] > RANK[current] ? { apply: true, to: incoming } : { apply: false, why: 'behind' };
}
