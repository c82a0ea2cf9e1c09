/**
 * How the vendor's statuses move a product message (src/messaging/statusRules.ts):
 * forwards only and idempotently, whatever order they arrive in — every pair
 * of (current, incoming) as a table — and the customer window
 * (src/messaging/customerWindow.ts): 24 hours from the customer's last
 * message, closed early by a refusal as outside it until they write again.
 */
import { describe, expect, it } from 'vitest';
import type { DeliveryStatus } from '../../src/domain/messagingPorts.js';
import { windowOpen } from '../../src/messaging/customerWindow.js';
import { parseReference, referenceOf } from '../../src/messaging/reference.js';
import { statusVerdict } from '../../src/messaging/statusRules.js';
import type { MessageStatus } from '../../src/messaging/types.js';

/** current → incoming → the status it ends in ('-': unchanged). */
const TABLE: Record<MessageStatus, Record<DeliveryStatus, MessageStatus | '-'>> = {
  QUEUED: { SENT: 'SENT', DELIVERED: 'DELIVERED', READ: 'READ', FAILED: 'FAILED' },
  SENDING: { SENT: 'SENT', DELIVERED: 'DELIVERED', READ: 'READ', FAILED: 'FAILED' },
  UNKNOWN: { SENT: 'SENT', DELIVERED: 'DELIVERED', READ: 'READ', FAILED: 'FAILED' },
  SENT: { SENT: '-', DELIVERED: 'DELIVERED', READ: 'READ', FAILED: 'FAILED' },
  DELIVERED: { SENT: '-', DELIVERED: '-', READ: 'READ', FAILED: '-' },
  READ: { SENT: '-', DELIVERED: '-', READ: '-', FAILED: '-' },
  FAILED: { SENT: '-', DELIVERED: '-', READ: '-', FAILED: '-' },
};

describe('status verdicts', () => {
  for (const [current, row] of Object.entries(TABLE) as Array<[MessageStatus, Record<DeliveryStatus, MessageStatus | '-'>]>) {
    for (const [incoming, expected] of Object.entries(row) as Array<[DeliveryStatus, MessageStatus | '-']>) {
      it(`${current} + ${incoming.toLowerCase()} → ${expected === '-' ? 'unchanged' : expected}`, () => {
        const v = statusVerdict(current, incoming);
        if (expected === '-') expect(v.apply).toBe(false);
        else expect(v).toEqual({ apply: true, to: expected });
      });
    }
  }

  it('says why nothing changed: a duplicate, a status behind, or a final message', () => {
    expect(statusVerdict('DELIVERED', 'DELIVERED')).toEqual({ apply: false, why: 'duplicate' });
    expect(statusVerdict('READ', 'DELIVERED')).toEqual({ apply: false, why: 'final' });
    expect(statusVerdict('DELIVERED', 'SENT')).toEqual({ apply: false, why: 'behind' });
    expect(statusVerdict('FAILED', 'READ')).toEqual({ apply: false, why: 'final' });
  });

  it('any arrival order of sent, delivered, read ends READ (and without delivered too)', () => {
    const orders: DeliveryStatus[][] = [
      ['SENT', 'DELIVERED', 'READ'],
      ['READ', 'DELIVERED', 'SENT'],
      ['DELIVERED', 'READ', 'SENT'],
      ['SENT', 'READ'],
      ['READ', 'READ', 'DELIVERED', 'SENT', 'DELIVERED'],
    ];
    for (const order of orders) {
      let s: MessageStatus = 'SENT';
      for (const incoming of order) {
        const v = statusVerdict(s, incoming);
        if (v.apply) s = v.to;
      }
      expect(s, order.join(',')).toBe('READ');
    }
  });
});

describe('the customer window', () => {
  const now = Date.parse('2030-01-02T12:00:00Z');
  const DAY = 86_400_000;
  it('is open within 24 hours of the customer’s last message, closed after, and closed when they never wrote', () => {
    expect(windowOpen({ lastInboundAt: '2030-01-02T00:00:00.000Z', windowRefusedAt: null }, now, DAY)).toBe(true);
    expect(windowOpen({ lastInboundAt: '2030-01-01T12:00:01.000Z', windowRefusedAt: null }, now, DAY)).toBe(true);
    expect(windowOpen({ lastInboundAt: '2030-01-01T12:00:00.000Z', windowRefusedAt: null }, now, DAY)).toBe(false);
    expect(windowOpen({ lastInboundAt: null, windowRefusedAt: null }, now, DAY)).toBe(false);
    expect(windowOpen(undefined, now, DAY)).toBe(false);
  });

  it('is closed by a refusal as outside it, until the customer writes again', () => {
    expect(windowOpen({ lastInboundAt: '2030-01-02T08:00:00.000Z', windowRefusedAt: '2030-01-02T09:00:00.000Z' }, now, DAY)).toBe(false);
    expect(windowOpen({ lastInboundAt: '2030-01-02T10:00:00.000Z', windowRefusedAt: '2030-01-02T09:00:00.000Z' }, now, DAY)).toBe(true);
  });
});

describe('the reference echoed with statuses', () => {
  it('names the message and the attempt, and nothing else parses as one', () => {
    const id = '0b7c3f1e-5d2a-4c11-9a53-2f0e6f3a9b10';
    expect(parseReference(referenceOf(id, 3))).toEqual({ messageId: id, attempt: 3 });
    for (const other of [null, undefined, '', 'cd1:not-a-uuid:1', `cd1:${id}:`, `cd2:${id}:1`, `cd1:${id}:1:extra`]) expect(parseReference(other)).toBeNull();
  });
});
