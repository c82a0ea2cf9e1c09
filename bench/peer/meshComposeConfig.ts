/**
 * The peer's Mesh compose configuration (what a `mesh.config.ts` would hold):
 * the sandbox's two OpenAPI documents as subgraphs, and one link from a
 * supplier product to its store product by SKU, in one of two forms.
 *
 * - Endpoints are the origins: the documents' paths already carry `/api/v1`
 *   and `/stores/{hash}`.
 * - `createPrefixTransform` per source: both documents define `Product`,
 *   `Variant`, `Order` and the `__sandbox` operations, which would collide.
 * - `ignoreErrorResponses`: the documents describe their error bodies, which
 *   would otherwise turn every field into a union of success and error types.
 * - The link: the store SKU is the part number (Crossdock's default
 *   `SKU_PREFIX` is empty). `batched` resolves every part's store product of a
 *   query in one `GET …/v3/catalog/products?sku:in=…` (`@resolveTo` with
 *   `keysArg`; needs `sku:in` as a list, see openApiDocuments.ts, and
 *   `valueKeyField` to match answers to keys, since BigCommerce leaves out SKUs
 *   it does not have and does not keep the order asked). `perItem` makes one
 *   `?sku=` call per part, which is all the document as served allows.
 */
import { createPrefixTransform, type MeshComposeCLIConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';
import type { PeerLink } from './peerLink.js';

export interface PeerComposeOptions {
  fipOrigin: string;
  bcOrigin: string;
  /** The OpenAPI documents to compose (file paths or URLs). */
  fipSource: string;
  bcSource: string;
  storeHash: string;
  /** FinditParts' static key (`X-API-Key`) and BigCommerce's `X-Auth-Token`. */
  fipApiKey: string;
  bcToken: string;
  link: PeerLink;
}

/** The supergraph field Mesh names after BigCommerce's `GET /stores/{hash}/v3/catalog/products`. */
export const bcProductsField = (storeHash: string) => `BC_stores_${storeHash}_v3_catalog_products`;

function linkTypeDefs(link: PeerLink, storeHash: string): string {
  const source = `sourceName: "BigCommerce", sourceTypeName: "Query", sourceFieldName: "${bcProductsField(storeHash)}"`;
  const directive =
    link === 'batched'
      ? `@resolveTo(${source}, keyField: "part_number", keysArg: "sku_in", valueKeyField: "sku", result: "data", requiredSelectionSet: "{ part_number }", additionalArgs: { limit: 250 })`
      : `@resolveTo(${source}, requiredSelectionSet: "{ part_number }", sourceArgs: { sku: "{root.part_number}" }, result: "data[0]")`;
  return `extend type FIP_Product {\n  "The store product whose SKU is this part number."\n  storeProduct: BC_Product ${directive}\n}`;
}

export function meshComposeConfig(o: PeerComposeOptions): MeshComposeCLIConfig {
  return {
    subgraphs: [
      {
        sourceHandler: loadOpenAPISubgraph('FinditParts', {
          source: o.fipSource,
          endpoint: o.fipOrigin,
          operationHeaders: { 'X-API-Key': o.fipApiKey },
          ignoreErrorResponses: true,
        }),
        transforms: [createPrefixTransform({ value: 'FIP_', includeRootOperations: true })],
      },
      {
        sourceHandler: loadOpenAPISubgraph('BigCommerce', {
          source: o.bcSource,
          endpoint: o.bcOrigin,
          operationHeaders: { 'X-Auth-Token': o.bcToken },
          ignoreErrorResponses: true,
          // Lists in the query string as BigCommerce's `:in` filters take them: `sku:in=A,B,C`.
          queryStringOptions: { arrayFormat: 'comma' },
        }),
        transforms: [createPrefixTransform({ value: 'BC_', includeRootOperations: true })],
      },
    ],
    additionalTypeDefs: linkTypeDefs(o.link, o.storeHash),
  };
}
