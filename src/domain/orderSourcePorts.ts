/** An order source: a sales channel whose orders the gateway mirrors (README "Orders mirror"). Part of the domain's ports (ports.ts). */
import type { ChannelOrder, ChannelOrderLine, MirrorChannel } from './channelOrders.js';

/** A bulk export's state (upstreams.md, Shopify "Bulk operations": `status`). */
export type BulkExportStatus = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'CANCELING' | 'CANCELED' | 'FAILED' | 'EXPIRED';

/** One bulk export of every order (a backfill), as the source reports it. */
export interface BulkExport {
  id: string;
  status: BulkExportStatus;
  /** When the source started it: what was updated after it may be missing from the file. */
  createdAt: string | null;
  /** Orders in the file (root objects), once known. */
  rootObjectCount: number | null;
  /** Lines in the file (orders and their children), once known. */
  objectCount: number | null;
  /** Where the finished file is (JSON Lines); null until it is finished. */
  url: string | null;
  /** Why it failed, in the source's words. */
  errorCode: string | null;
}

/** What one step of reading a bulk export's file gives: lines numbered from 1. */
export type BulkExportItem =
  /** A whole order with its lines; `line` is the last file line it used (resume after it). */
  | { kind: 'order'; order: ChannelOrder; line: number }
  /** Lines of an order already given whole (the file put them after another order). */
  | { kind: 'lines'; orderId: string; lines: ChannelOrderLine[]; line: number }
  /** A line that could not be read: the order it belongs to (when it says) fails, the rest goes on. */
  | { kind: 'failure'; line: number; orderId: string | null; message: string };

export interface OrderPage {
  /** Oldest update first. */
  orders: ChannelOrder[];
  /** The source's cursor after this page; null at the end. */
  endCursor: string | null;
  hasNextPage: boolean;
  /** Orders of the page that could not be read (the rest of the page stands). */
  failures: Array<{ orderId: string | null; message: string }>;
}

/** A change the source pushed (a webhook), verified by the connector. */
export interface OrderEvent {
  /** The source's id of the event: the same event delivered twice has the same id. */
  eventId: string;
  /** The source's name for it, e.g. `orders/updated`. */
  topic: string;
  /** The order it is about, when the body says; null when the body could not be read. */
  order: ChannelOrder | null;
  /** Why the body could not be read as an order (the event is kept, and listed). */
  problem: string | null;
}

/** Takes a verified event durably (recorded before the source is told it arrived). */
export type OrderEventSink = (event: OrderEvent) => Promise<void>;

export interface OrderSource {
  /** The connector's name (metrics label, `upstream` in errors), e.g. `shopify`. */
  name: string;
  displayName: string;
  channel: MirrorChannel;
  /** Every order at once, for a backfill: a bulk export the source prepares, then its file read line by line. */
  bulk: {
    /** Starts one (the source runs one at a time: starting while one runs is an error saying so). */
    start(signal?: AbortSignal): Promise<BulkExport>;
    get(id: string, signal?: AbortSignal): Promise<BulkExport | null>;
    /** The source's latest bulk export, whoever started it. */
    current(signal?: AbortSignal): Promise<BulkExport | null>;
    /** The finished file from line `fromLine` (1-based), never held whole in memory. */
    read(url: string, fromLine: number, signal?: AbortSignal): AsyncIterable<BulkExportItem>;
  };
  /** A page of the orders updated at or after `since` (null: every order), oldest update first, on the bulk lane. */
  updatedSince(since: string | null, after: string | null, signal?: AbortSignal): Promise<OrderPage>;
  webhooks: {
    /** Pushes are configured (the source is asked to send them; false: pulls only). */
    enabled: boolean;
    /** Asks the source to push order changes to the gateway's route (once the gateway listens). */
    register(): Promise<void>;
    /** Where verified deliveries go; until one is set a delivery is refused (the source retries it). */
    deliverTo(sink: OrderEventSink): void;
  };
}
