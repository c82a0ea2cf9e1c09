/** Customer messaging (WhatsApp): what product messages ask of the vendor (README "WhatsApp"). Part of the domain's ports (ports.ts). */
import type { MessagingFailureReason } from './messagingError.js';

/** A store product in a message: the id the vendor's product catalog knows it by, and its name. */
export interface MessageProduct {
  retailerId: string;
  name: string;
}

/** One product, several products, or the template for a customer outside the window. */
export type OutgoingMessageKind = 'PRODUCT' | 'PRODUCT_LIST' | 'TEMPLATE';

export interface OutgoingMessage {
  kind: OutgoingMessageKind;
  /** The recipient, E.164 (domain/phoneNumber.ts). */
  to: string;
  products: readonly MessageProduct[];
  body: string;
  /** Echoed back with the vendor's status events, so a status whose send answer was lost still finds its message. */
  reference: string;
}

export interface MessageAck {
  /** The vendor's id of the message (WhatsApp's `wamid.…`): its status events name it. */
  vendorMessageId: string;
}

/** Where the vendor says a message is. */
export type DeliveryStatus = 'SENT' | 'DELIVERED' | 'READ' | 'FAILED';

export interface MessageErrorDetail {
  /** The vendor's code, e.g. "131026". */
  code: string;
  title: string;
  message: string | null;
  reason: MessagingFailureReason | null;
}

/** What the vendor's webhooks tell, once the connector has verified them. */
export type MessagingEvent =
  | {
      kind: 'status';
      vendorMessageId: string;
      status: DeliveryStatus;
      /** The vendor's time of the status (ISO-8601). */
      at: string;
      /** E.164, when the vendor named one. */
      recipient: string | null;
      /** The OutgoingMessage's reference, when the vendor echoed it. */
      reference: string | null;
      errors: MessageErrorDetail[];
    }
  /** A customer wrote: the window for interactive messages to them opens (again). */
  | { kind: 'inbound'; from: string; at: string; vendorMessageId: string };

/** Applies verified events; a rejection makes the connector answer the vendor so it delivers them again. */
export type MessagingEventHandler = (events: readonly MessagingEvent[]) => Promise<void>;

/** Sending product messages to customers, and the vendor's events about them. */
export interface Messaging {
  /** The connector's name (metrics label, `upstream` in errors), e.g. `whatsapp`. */
  name: string;
  displayName: string;
  /** The template sent to a customer outside the window; null when none is configured (such a message fails). */
  template: { name: string; language: string } | null;
  /** How long after a customer's last message interactive messages may go (WhatsApp: 24 h). */
  customerWindowMs: number;
  /** The most products one message may carry. */
  maxProducts: number;
  /** The longest body text. */
  maxBodyLength: number;
  /** Least time between two messages to one recipient (the connector paces by it). */
  recipientIntervalMs: number;
  /** ms until `to` may be sent to again as the connector's pacing knows it (0: now). */
  readyIn(to: string): number;
  /** Sends one message; a refusal is a MessagingError (domain/messagingError.ts) saying whether it may have gone. */
  send(message: OutgoingMessage, signal?: AbortSignal): Promise<MessageAck>;
  /** Where the connector's webhook route hands verified events (one handler; the latest registered wins). */
  onEvents(handler: MessagingEventHandler): void;
}
