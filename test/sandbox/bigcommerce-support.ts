/**
 * Shared by the BigCommerce simulator's contract tests: a sandbox on
 * ephemeral ports and a small JSON client for its store API.
 */
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import type { BigCommerceOrigin } from '../../src/sandbox/bigcommerce/app.js';
import type { SandboxOptionsInput } from '../../src/sandbox/options.js';
import { startSandbox } from '../support/sandbox.js';

export const TOKEN = 'sandbox-token';
export const V3_ERROR_TYPE = 'https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes';

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export interface Store {
  sandbox: Sandbox;
  /** The origin, e.g. http://127.0.0.1:1234 (admin routes under /__sandbox). */
  url: string;
  /** `${url}/stores/sandbox`. */
  api: string;
  origin: BigCommerceOrigin;
  call<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer<T>>;
  get<T = any>(path: string, headers?: Record<string, string>): Promise<Answer<T>>;
  close(): Promise<void>;
}

/** A sandbox with a 500-part catalog and a quota high enough not to get in the way, unless told otherwise. */
export async function startStore(input: SandboxOptionsInput = {}): Promise<Store> {
  const sandbox = await startSandbox({
    parts: 500,
    ...input,
    bigcommerce: { quota: 1_000_000, ...input.bigcommerce },
  });
  const { url, apiBase: api, origin } = sandbox.bigcommerce;
  async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    const res = await fetch(path.startsWith('http') ? path : `${path.startsWith('/__sandbox') || path.startsWith('/oauth2') ? url : api}${path}`, {
      method,
      headers: {
        'X-Auth-Token': TOKEN,
        Accept: 'application/json',
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, headers: res.headers, text, body: parsed as T };
  }
  return {
    sandbox,
    url,
    api,
    origin,
    call,
    get: (path, headers) => call('GET', path, undefined, headers),
    close: () => sandbox.close(),
  };
}

export function expectV3Error(body: unknown, status: number): void {
  const b = body as { status?: unknown; title?: unknown; type?: unknown; errors?: unknown };
  if (b?.status !== status || typeof b.title !== 'string' || b.type !== V3_ERROR_TYPE || typeof b.errors !== 'object' || b.errors === null) {
    throw new Error(`expected a v3 error with status ${status}, got ${JSON.stringify(body)}`);
  }
}

export function expectV2Error(body: unknown, status: number): void {
  const b = body as Array<{ status?: unknown; message?: unknown }>;
  if (!Array.isArray(b) || b.length < 1 || b[0]?.status !== status || typeof b[0]?.message !== 'string') {
    throw new Error(`expected a v2 error array with status ${status}, got ${JSON.stringify(body)}`);
  }
}
