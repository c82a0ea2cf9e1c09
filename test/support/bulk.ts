/**
 * Bulk CSV over real HTTP: uploading an import, downloading an export, and
 * waiting for an import job, with a test gateway's key.
 */
import type { TestGateway } from './gateway.js';
import { pollUntil } from './processes.js';

export interface ImportAnswer {
  status: number;
  body: {
    job?: { id: string; kind: string; status: string; dryRun: boolean; rows: number | null };
    alreadyRunning?: boolean;
    errors?: Array<{ message: string; extensions: { code: string; reason?: string } & Record<string, unknown> }>;
  };
}

export async function postImport(
  gw: TestGateway,
  kind: string,
  body: string | Buffer,
  options: { key?: string; contentType?: string; dryRun?: boolean } = {},
): Promise<ImportAnswer> {
  const query = new URLSearchParams({ kind, ...(options.dryRun ? { dryRun: 'true' } : {}) });
  const res = await fetch(`${gw.url}/bulk/imports?${query}`, {
    method: 'POST',
    headers: { 'content-type': options.contentType ?? 'text/csv', 'x-api-key': options.key ?? gw.key },
    body,
  });
  return { status: res.status, body: (await res.json()) as ImportAnswer['body'] };
}

export async function getExport(gw: TestGateway, path: string, key = gw.key): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(`${gw.url}/bulk/exports/${path}`, { headers: { 'x-api-key': key } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export interface ImportJobView {
  id: string;
  kind: string;
  status: string;
  error: string | null;
  progress: { total: number; processed: number; created: number; updated: number; unchanged: number; failed: number };
}

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export async function waitImport(gw: TestGateway, id: string, key = gw.key, timeoutMs = 120_000): Promise<ImportJobView> {
  const job = await pollUntil(
    async () =>
      (
        await gw.gql<{ data?: { syncJob: ImportJobView | null } }>(
          'query ($id: ID!) { syncJob(id: $id) { id kind status error progress { total processed created updated unchanged failed } } }',
          { id },
          { 'x-api-key': key },
        )
      ).body.data?.syncJob ?? null,
    (j) => j !== null && FINAL.has(j.status),
    { timeoutMs, intervalMs: 100, what: `import job ${id}` },
  );
  return job!;
}

export interface FailureView {
  sku: string;
  partNumber: string | null;
  code: string;
  message: string;
  line: number | null;
  column: string | null;
}

/** Every failure of a job, in the store's order (an import's: by line). */
export async function allFailures(gw: TestGateway, id: string, key = gw.key): Promise<FailureView[]> {
  const out: FailureView[] = [];
  let after: string | null = null;
  for (;;) {
    const res: { body: { data?: { syncJob: { failures: { nodes: FailureView[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } } } } = await gw.gql(
      'query ($id: ID!, $after: String) { syncJob(id: $id) { failures(first: 200, after: $after) { nodes { sku partNumber code message line column } pageInfo { hasNextPage endCursor } } } }',
      { id, after },
      { 'x-api-key': key },
    );
    const page = res.body.data!.syncJob.failures;
    out.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return out;
    after = page.pageInfo.endCursor;
  }
}

/** A minimal CSV reader for test assertions (RFC 4180 quoting, LF rows). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
