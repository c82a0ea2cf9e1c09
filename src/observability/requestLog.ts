/**
 * The one line every HTTP request writes ("request": id, method, route
 * template, status, duration, client name and key id), written straight to
 * the logger's destination as the logger itself would write it.
 *
 * Through `logger.info` the line cost some 13 µs of CPU on a two-core host
 * (pino's per-field serialisation, then both redaction nets over seven fields:
 * logger.ts), and on the throughput benchmark's response-cache hits taking it
 * away saved a quarter of each request's CPU. The fields are few and their
 * kinds fixed, so the line is built here from what cannot carry a secret,
 * and what can is scrubbed as before:
 *
 * - method: one of the methods Node's HTTP parser accepts (it refuses any
 *   other before a hook runs); route: a registered route template or
 *   `unmatched`, never the URL; status and duration: numbers;
 * - the request id is the gateway's UUID, written as it is (hex digits and
 *   dashes, made by randomUUID), or the client's `X-Request-Id` (checked
 *   against a character class, which a secret could pass): that one goes
 *   through `redactText`, as every string of a line does;
 * - the client's name and key id come from configuration: scrubbed by
 *   `scrubValue` once per client, and again after any secret is registered
 *   (redact.ts, `secretsVersion`).
 *
 * The line is the logger's, byte for byte but for the time: the same level
 * label, time field, bindings (`service`, and a child's), key order and
 * message key; an absent client is left out, as JSON leaves out undefined
 * (test/unit/requestLog.test.ts compares them). Nothing is written below the
 * logger's level `info`.
 */
import pino from 'pino';
import type { Logger } from './logger.js';
import { redactText, scrubValue, secretsVersion } from './redact.js';

export interface RequestLogFields {
  reqId: string;
  /** The id is the gateway's own (crypto.randomUUID), not the client's: nothing in it to scrub. */
  reqIdGenerated?: boolean;
  method: string;
  route: string;
  status: number;
  durationMs: number;
  client?: { name: string; keyId?: string | undefined } | undefined;
}

interface LogDestination {
  write(line: string): unknown;
}

const json = (value: string) => JSON.stringify(value);
/** A number as JSON writes it (null for what JSON cannot hold). */
const num = (n: number) => (Number.isFinite(n) ? String(n) : 'null');

export function createRequestLog(logger: Logger): (fields: RequestLogFields) => void {
  const internals = logger as unknown as Record<symbol, unknown>;
  const stream = internals[pino.symbols.streamSym] as LogDestination;
  // The logger's bindings as it writes them (`,"service":"crossdock"` and a child's), already scrubbed.
  const bindings = (internals[pino.symbols.chindingsSym] as string | undefined) ?? '';
  /** Each client's `,"client":…,"keyId":…`, scrubbed, for the registered secrets of `version`. */
  let fragments = new WeakMap<object, string>();
  let version = secretsVersion();
  const clientFragment = (client: NonNullable<RequestLogFields['client']>): string => {
    if (version !== secretsVersion()) {
      fragments = new WeakMap();
      version = secretsVersion();
    }
    let fragment = fragments.get(client);
    if (fragment === undefined) {
      const scrubbed = scrubValue({ client: client.name, keyId: client.keyId }) as { client?: unknown; keyId?: unknown };
      fragment = JSON.stringify(scrubbed).slice(1, -1);
      fragment = fragment ? `,${fragment}` : '';
      fragments.set(client, fragment);
    }
    return fragment;
  };
  return (f) => {
    if (!logger.isLevelEnabled('info')) return;
    const client = f.client ? clientFragment(f.client) : '';
    stream.write(
      `{"level":"info","time":${Date.now()}${bindings},"reqId":${f.reqIdGenerated ? `"${f.reqId}"` : json(redactText(f.reqId))},"method":${json(f.method)},"route":${json(f.route)},"status":${num(f.status)},"durationMs":${num(f.durationMs)}${client},"msg":"request"}\n`,
    );
  };
}
