/**
 * The GraphQL Admin API on the shared HTTP machinery (upstreams.md,
 * "Shopify"): `POST {shop}/admin/api/{version}/graphql.json` with
 * `X-Shopify-Access-Token`, paced on query cost. Each answer's
 * `extensions.cost.throttleStatus` corrects the upstream's cost bucket
 * (src/limits/costBucket.ts); a `THROTTLED` answer (no data, HTTP status
 * undocumented: keyed on the code) is the retry table's rate-limited row,
 * its delay at least the time the bucket needs at `restoreRate` to afford the
 * query again.
 *
 * What a query costs is learnt from what Shopify reports: the first time a
 * query is sent its own estimate is used, afterwards the `requestedQueryCost`
 * Shopify last reported for it (the connector paces on what is reported).
 */
import type { Lane } from '../../domain/ports.js';
import type { QuotaReport } from '../../limits/pacer.js';
import type { UpstreamClient, UpstreamVendor } from '../../upstreams/http.js';
import { parseRetryAfter } from '../../upstreams/retryAfter.js';
import { UpstreamError } from '../../upstreams/upstreamError.js';
import { shopifyErrorMessage, type GqlAnswer, type GqlCost } from './wire.js';

const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function costOf(body: unknown): GqlCost | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  return (body as GqlAnswer<unknown>).extensions?.cost;
}

function isThrottled(body: unknown): boolean {
  const errors = typeof body === 'object' && body !== null ? (body as GqlAnswer<unknown>).errors : undefined;
  return Array.isArray(errors) && errors.some((e) => e?.extensions?.code === 'THROTTLED');
}

/** Auth, the cost report and error bodies as Shopify speaks them. */
export function shopifyVendor(accessToken: string): UpstreamVendor {
  return {
    authHeaders: () => ({ 'x-shopify-access-token': accessToken }),
    quotaReport(status, headers, body): QuotaReport {
      const report: QuotaReport = {};
      const cost = costOf(body);
      const t = cost?.throttleStatus;
      const available = finite(t?.currentlyAvailable);
      const maximum = finite(t?.maximumAvailable);
      const restoreRate = finite(t?.restoreRate);
      if (available !== undefined && maximum !== undefined && restoreRate !== undefined && restoreRate > 0) {
        report.bucket = { available, maximum, restoreRate };
      }
      if (isThrottled(body)) {
        report.throttled = true;
        // How long the bucket needs, at the reported restore rate, to afford this query again.
        const requested = finite(cost?.requestedQueryCost);
        if (requested !== undefined && available !== undefined && restoreRate) {
          report.retryAfterMs = Math.max(0, Math.ceil(((requested - available) / restoreRate) * 1000));
        }
      }
      if (status === 429) report.retryAfterMs = parseRetryAfter(headers['retry-after']) ?? 1_000;
      return report;
    },
    errorMessage: shopifyErrorMessage,
  };
}

export interface AdminQuery {
  /** A stable name for the document: metrics endpoint and the key its cost is learnt under. */
  name: string;
  document: string;
  variables?: Record<string, unknown>;
  /** The connector's own estimate, used until Shopify has reported this query's cost. */
  estimatedCost: number;
  /**
   * Pace on what Shopify last reported for this query name rather than on `estimatedCost`; false for
   * a query whose size changes between calls (its caller scales the report itself). @default true
   */
  paceOnReport?: boolean;
  lane: Lane;
  /** A mutation that must not be sent twice after an unknown outcome. @default false (a read: safe to resend) */
  mutation?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface AdminAnswer<D> {
  data: D;
  /** What Shopify reported this query cost (requested before it ran, actual after). */
  cost: { requested: number | null; actual: number | null };
}

export interface AdminApi {
  query<D>(q: AdminQuery): Promise<AdminAnswer<D>>;
  /** The cost Shopify last reported for a query name, if any. */
  reportedCost(name: string): number | undefined;
}

export function createAdminApi(http: UpstreamClient): AdminApi {
  const learnt = new Map<string, number>();
  return {
    reportedCost: (name) => learnt.get(name),
    async query<D>(q: AdminQuery): Promise<AdminAnswer<D>> {
      const res = await http.request({
        method: 'POST',
        path: ['graphql.json'],
        body: { query: q.document, variables: q.variables ?? {} },
        endpoint: q.name,
        lane: q.lane,
        idempotent: !q.mutation,
        cost: (q.paceOnReport === false ? undefined : learnt.get(q.name)) ?? q.estimatedCost,
        signal: q.signal,
        timeoutMs: q.timeoutMs,
      });
      const body = res.body as GqlAnswer<D> | undefined;
      if (res.status >= 400) {
        // 404: the shop or the API version does not exist.
        throw new UpstreamError(res.status === 404 ? 'rejected' : 'unavailable', http.name, shopifyErrorMessage(body) ?? `HTTP ${res.status}`, { status: res.status });
      }
      const cost = body?.extensions?.cost;
      const requested = finite(cost?.requestedQueryCost) ?? null;
      if (requested !== null) learnt.set(q.name, requested);
      if (body?.errors !== undefined && (typeof body.errors === 'string' || body.errors.length > 0)) {
        const code = Array.isArray(body.errors) ? body.errors.find((e) => e?.extensions?.code)?.extensions?.code : undefined;
        if (code === 'THROTTLED') {
          throw new UpstreamError('rateLimited', http.name, 'Shopify kept answering THROTTLED', { retryInMs: 1_000 });
        }
        throw new UpstreamError('rejected', http.name, shopifyErrorMessage(body) ?? 'the query was refused');
      }
      if (!body || body.data === undefined || body.data === null) throw new UpstreamError('rejected', http.name, 'an answer without data');
      return { data: body.data, cost: { requested, actual: finite(cost?.actualQueryCost) ?? null } };
    },
  };
}
