/** How the peer's supergraph links a part to its store product: one batched `sku:in` call per query, or one call per part. */
export type PeerLink = 'batched' | 'perItem';
