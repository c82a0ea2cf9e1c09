/**
 * Why a customer message was not sent, in the domain's terms: the connector
 * maps its vendor's codes to these (WhatsApp's in
 * src/connectors/whatsapp/errorCodes.ts), the message outbox acts on them.
 * Every reason but OUTCOME_UNKNOWN means the vendor did not take the message,
 * so sending it again cannot send it twice.
 */
export type MessagingFailureReason =
  /** The sending number's throughput is used up (WhatsApp 130429): retry shortly. */
  | 'THROUGHPUT'
  /** Too many messages to this recipient too fast (WhatsApp 131056): retry after the recipient interval. */
  | 'PAIR_RATE'
  /** The business account's rate limit (WhatsApp 80007): retry later. */
  | 'ACCOUNT_RATE'
  /** Outside the customer's window (WhatsApp 131047): only a template may be sent now. */
  | 'WINDOW_CLOSED'
  /** The vendor cannot deliver to this recipient (WhatsApp 131026). */
  | 'UNDELIVERABLE'
  /** The credentials were refused or expired (WhatsApp 190): nothing goes until they are fixed. */
  | 'AUTH'
  /** The vendor refused the message itself (a bad parameter, a product its catalog lacks). */
  | 'REJECTED'
  /** Nothing was sent: no connection, the breaker is open, no pacing slot in time. */
  | 'UNAVAILABLE'
  /** It may have been sent (a timeout or a lost connection after sending, a 5xx): never resent blind. */
  | 'OUTCOME_UNKNOWN';

export class MessagingError extends Error {
  override name = 'MessagingError';
  /** The vendor's own code (e.g. "131047"), when it gave one. */
  readonly vendorCode?: string;
  /** When trying again makes sense, in ms (0: the reason's own default). */
  readonly retryInMs: number;
  /** The gateway did not call the vendor at all (it paced the call itself): not an attempt. */
  readonly deferred: boolean;

  constructor(
    readonly reason: MessagingFailureReason,
    message: string,
    extra: { vendorCode?: string; retryInMs?: number; deferred?: boolean } = {},
  ) {
    super(message);
    if (extra.vendorCode !== undefined) this.vendorCode = extra.vendorCode;
    this.retryInMs = extra.retryInMs ?? 0;
    this.deferred = extra.deferred ?? false;
  }

  /** Whether the vendor may have taken the message. */
  get mayHaveSent(): boolean {
    return this.reason === 'OUTCOME_UNKNOWN';
  }
}
