/**
 * The sandbox's own OpenAPI documents (`GET <origin>/__sandbox/openapi.json`),
 * as the peer composes them, and the one change the batched link needs.
 */

export type OpenApiDocument = Record<string, unknown>;

export async function fetchOpenApiDocument(origin: string): Promise<OpenApiDocument> {
  const res = await fetch(`${origin}/__sandbox/openapi.json`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${origin}/__sandbox/openapi.json answered HTTP ${res.status}`);
  return (await res.json()) as OpenApiDocument;
}

interface Parameter {
  name?: string;
  in?: string;
  schema?: unknown;
  style?: string;
  explode?: boolean;
}

/**
 * BigCommerce's `sku:in` filter is a comma-separated list (upstreams.md; "Filter
 * products by a comma-separated list of SKUs" in BigCommerce's catalog reference),
 * but the sandbox's document declares it `type: string`, so Mesh gives the field
 * a `String` argument and `@resolveTo` has no list to batch keys into. OpenAPI
 * 3.0.3 spells a comma list as an array with `style: form, explode: false`
 * (https://spec.openapis.org/oas/v3.0.3#style-values); retyped so, the argument
 * becomes `[String]` and Mesh serializes it `sku:in=A,B,C`.
 * Returns a copy; throws when the parameter is not where the document had it.
 */
export function retypeSkuInAsList(doc: OpenApiDocument, storeHash: string): OpenApiDocument {
  const copy = structuredClone(doc);
  const path = `/stores/${storeHash}/v3/catalog/products`;
  const op = (copy.paths as Record<string, { get?: { parameters?: Parameter[] } }> | undefined)?.[path]?.get;
  const param = op?.parameters?.find((p) => p.name === 'sku:in' && p.in === 'query');
  if (!param) throw new Error(`the BigCommerce document has no query parameter sku:in on GET ${path}`);
  param.schema = { type: 'array', items: { type: 'string' } };
  param.style = 'form';
  param.explode = false;
  return copy;
}
