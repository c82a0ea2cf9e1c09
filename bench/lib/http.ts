/** Plain HTTP helpers over fetch, each bounded by a timeout. */
import { sleep } from './proc.js';

export async function getJson<T = unknown>(url: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function postJson<T = unknown>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<{ status: number; headers: Headers; text: string; body: T }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let parsed: T;
  try {
    parsed = JSON.parse(text) as T;
  } catch {
    parsed = undefined as T;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** Polls `url` until it answers 2xx; rejects after `timeoutMs` (or when `alive()` turns false). */
export async function waitForOk(url: string, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = 'no answer';
  while (performance.now() < deadline) {
    if (!alive()) throw new Error(`${url}: the process exited while waiting (${last})`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(50);
  }
  throw new Error(`${url}: not ready within ${timeoutMs} ms (${last})`);
}

export interface SandboxStats {
  requests: number;
  endpoints: Record<string, number>;
  throttled: number;
}

/** `GET <origin>/__sandbox/stats`. */
export async function sandboxStats(originUrl: string): Promise<SandboxStats> {
  const { status, body } = await getJson<SandboxStats>(`${originUrl}/__sandbox/stats`);
  if (status !== 200) throw new Error(`${originUrl}/__sandbox/stats answered ${status}`);
  return body;
}

/** `POST <origin>/__sandbox/reset` (counters and faults; data untouched). */
export async function sandboxReset(originUrl: string): Promise<void> {
  const { status } = await postJson(`${originUrl}/__sandbox/reset`, {});
  if (status !== 200) throw new Error(`${originUrl}/__sandbox/reset answered ${status}`);
}
