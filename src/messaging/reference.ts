/**
 * The reference sent with each attempt and echoed back with the vendor's
 * status events (WhatsApp's `biz_opaque_callback_data`): the message id and
 * the attempt, so a status that arrives before the send's answer was
 * recorded — or for a send whose answer was lost — finds its message, and a
 * late status of an earlier attempt is told apart.
 */
const REFERENCE = /^cd1:([0-9a-f-]{36}):(\d{1,6})$/;

export const referenceOf = (messageId: string, attempt: number): string => `cd1:${messageId}:${attempt}`;

export function parseReference(reference: string | null | undefined): { messageId: string; attempt: number } | null {
  const m = reference ? REFERENCE.exec(reference) : null;
  return m ? { messageId: m[1] as string, attempt: Number(m[2]) } : null;
}
