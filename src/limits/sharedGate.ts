/**
 * The vendor-header gate shared by every instance (scale-out). What one
 * instance learns from a vendor's headers — requests left in the vendor's
 * window, when it resets, a Retry-After — holds for all of them, because the
 * vendor's quota is one quota whichever instance asks. Kept in one Redis hash
 * per upstream with a short TTL (the window's end), merged so an older answer
 * never raises `left` within one window; each instance also publishes its
 * requests in flight, which the others subtract from `left`.
 *
 *   <prefix>gate:{upstream}  HASH  left, resetAt, quota, blockedUntil, if:{instance} = "n:epochMs"
 *
 * Reads are cached for `cacheMs` and bounded by a deadline; when Redis is
 * unreachable the pacer gates on what this instance saw itself.
 */
import type { RedisConnection } from '../redis/connection.js';
import { withDeadline } from '../redis/connection.js';

export interface SharedGateView {
  left: number | null;
  resetAt: number | null;
  quota: number | null;
  blockedUntil: number | null;
  /** Requests other instances have in flight (reported within the last 30 s). */
  othersInFlight: number;
}

export interface SharedGate {
  /** The shared view (cached briefly); null when Redis cannot be read. Never throws. */
  read(): Promise<SharedGateView | null>;
  /** Records what a vendor answer said. Fire-and-forget. */
  write(state: { left?: number; resetAt?: number; quota?: number; blockedUntil?: number }): void;
  /** This instance's requests in flight. Fire-and-forget. */
  inFlight(n: number): void;
}

const MERGE = `
local cur = redis.call('HMGET', KEYS[1], 'left', 'resetAt', 'blockedUntil')
local now = tonumber(ARGV[6])
if ARGV[1] ~= '' then
  local l, r = tonumber(ARGV[1]), tonumber(ARGV[2])
  local cl, cr = tonumber(cur[1]), tonumber(cur[2])
  if (not cr) or (not cl) or cr <= now or r > cr + 1000 then
    redis.call('HSET', KEYS[1], 'left', l, 'resetAt', r)
  elseif l < cl then
    redis.call('HSET', KEYS[1], 'left', l)
  end
end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'quota', ARGV[3]) end
if ARGV[4] ~= '' then
  local cb = tonumber(cur[3])
  if (not cb) or tonumber(ARGV[4]) > cb then redis.call('HSET', KEYS[1], 'blockedUntil', ARGV[4]) end
end
-- Lengthen, never shorten: another instance may have stored a longer block or window.
local ttl = tonumber(ARGV[5])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
`;

/** This instance's requests in flight, with the same never-shorten rule for the key's TTL. */
const IN_FLIGHT = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local ttl = tonumber(ARGV[3])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
`;

export interface SharedGateOptions {
  redis: RedisConnection;
  prefix: string;
  upstream: string;
  instanceId: string;
  /** How long a read is reused. @default 50 */
  cacheMs?: number;
  /** Deadline of one Redis call. @default 250 */
  timeoutMs?: number;
}

export function createSharedGate(options: SharedGateOptions): SharedGate {
  const { redis } = options;
  const key = `${options.prefix}gate:${options.upstream}`;
  const mine = `if:${options.instanceId}`;
  const cacheMs = options.cacheMs ?? 50;
  const timeoutMs = options.timeoutMs ?? 250;
  let cached: { at: number; view: SharedGateView | null } | undefined;
  let reading: Promise<SharedGateView | null> | undefined;
  // The key lives a little past the longest thing written to it (a window end or a block), at least a
  // minute; the scripts never shorten it, so a short write by one instance cannot drop another's block.
  let ttlMs = 60_000;

  async function load(): Promise<SharedGateView | null> {
    try {
      const h = await withDeadline(redis.client.hGetAll(key), timeoutMs, 'gate read');
      const num = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));
      let others = 0;
      const now = Date.now();
      for (const [field, value] of Object.entries(h)) {
        if (!field.startsWith('if:') || field === mine) continue;
        const [n, at] = value.split(':').map(Number);
        if (n && at && now - at < 30_000) others += n;
      }
      return { left: num(h.left), resetAt: num(h.resetAt), quota: num(h.quota), blockedUntil: num(h.blockedUntil), othersInFlight: others };
    } catch {
      return null;
    }
  }

  return {
    read() {
      const now = Date.now();
      if (cached && now - cached.at < cacheMs) return Promise.resolve(cached.view);
      reading ??= load().then((view) => {
        cached = { at: Date.now(), view };
        reading = undefined;
        return view;
      });
      return reading;
    },
    write(state) {
      const now = Date.now();
      ttlMs = Math.max(60_000, (state.resetAt ?? 0) - now + 1_000, (state.blockedUntil ?? 0) - now + 1_000);
      const s = (v: number | undefined) => (v === undefined ? '' : String(Math.round(v)));
      cached = undefined;
      redis.client
        .eval(MERGE, { keys: [key], arguments: [s(state.left), s(state.resetAt), s(state.quota), s(state.blockedUntil), String(ttlMs), String(now)] })
        .catch(() => undefined);
    },
    inFlight(n) {
      redis.client.eval(IN_FLIGHT, { keys: [key], arguments: [mine, `${n}:${Date.now()}`, String(ttlMs)] }).catch(() => undefined);
    },
  };
}
