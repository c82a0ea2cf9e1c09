/** Parent objects the graph passes between resolvers where no domain type fits. */
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

export interface OrderConnectionModel {
  edges: Array<{ cursor: string; node: import('../domain/types.js').StoreOrder }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** Counted only when the field is asked for: it costs upstream calls. */
  count(): Promise<number>;
}
