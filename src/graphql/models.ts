/** Parent objects the graph passes between resolvers where no domain type fits. */
import type { ChannelOrderLine, MirrorChannel } from '../domain/channelOrders.js';
import type { StoreOrder, StoreOrderLine } from '../domain/types.js';
import type { MirroredOrderHead } from '../mirror/mirrorStore.js';

export interface InventoryModel {
  sku: string;
  /**
   * The supplier variant whose stock counts for this SKU: a string when
   * known, null when no part is linked, undefined when it must be looked up
   * from the SKU.
   */
  supplierVariantId: string | null | undefined;
  /**
   * The supplier id a sync wrote on the store product, when the model comes
   * from one: the lookup then reads the part by id in the batched multi call
   * instead of by part number (one supplier call per SKU).
   */
  supplierId?: string | null;
}

/** A row of `upstreams`: one upstream API and the connector it belongs to. */
export interface UpstreamStatusModel {
  name: string;
  connector: import('../connectors/connector.js').RunningConnector;
  handle: import('../connectors/connector.js').UpstreamHandle;
}

/**
 * An order of any channel: a BigCommerce store order (read live), or a mirrored one (it carries its
 * `channel`; listed, it has no lines until they are asked for: the mirror's loader reads them).
 */
export type OrderModel = StoreOrder | MirroredOrderHead;

/** A line of either: a mirrored line knows its order and currency (amounts are in the order's). */
export type OrderLineModel = StoreOrderLine | MirroredLineModel;

export interface MirroredLineModel extends ChannelOrderLine {
  channel: MirrorChannel;
  orderId: string;
  currency: string;
}

/** Whether an order model is a mirrored one. */
export const isMirrored = (o: OrderModel): o is MirroredOrderHead => 'channel' in o;
export const isMirroredLine = (l: OrderLineModel): l is MirroredLineModel => 'channel' in l;

export interface OrderConnectionModel {
  edges: Array<{ cursor: string; node: OrderModel }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** Counted only when the field is asked for: it costs upstream calls. */
  count(): Promise<number>;
}
