/**
 * The per-request line (src/observability/requestLog.ts) is written straight
 * to the logger's destination: it must read exactly as `logger.info` would
 * have written it — same fields, same order, same bindings — and mask what
 * the logger's nets mask, including a secret registered after a client's
 * fields were first scrubbed.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../src/observability/logger.js';
import { registerSecret } from '../../src/observability/redact.js';
import { createRequestLog, type RequestLogFields } from '../../src/observability/requestLog.js';

function capture(level = 'info'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => lines.push(line) } });
  return { logger, lines };
}

/** What the logger writes for the same fields, by its generic path. */
function viaLogger(logger: Logger, f: RequestLogFields): void {
  logger.info({ reqId: f.reqId, method: f.method, route: f.route, status: f.status, durationMs: f.durationMs, client: f.client?.name, keyId: f.client?.keyId }, 'request');
}

/** A line without its time, keys in the order written. */
function shape(line: string | undefined): Array<[string, unknown]> {
  expect(line?.endsWith('\n')).toBe(true);
  return Object.entries(JSON.parse(line as string) as Record<string, unknown>).filter(([k]) => k !== 'time');
}

const client = { name: 'storefront', keyId: '46c0534d0996' };
const CASES: RequestLogFields[] = [
  { reqId: '026b9204-2362-4941-8bb5-43a66e4a8dca', method: 'POST', route: '/graphql', status: 200, durationMs: 1.23, client },
  // The gateway's own id, written without scrubbing (fastifyApp.ts): the same line.
  { reqId: randomUUID(), reqIdGenerated: true, method: 'POST', route: '/graphql', status: 200, durationMs: 0.87, client },
  { reqId: 'given.by-client:7', method: 'GET', route: 'unmatched', status: 401, durationMs: 0.4 },
  { reqId: 'x', method: 'GET', route: '/health', status: 503, durationMs: 12, client: { name: 'no key id' } },
];

describe('request log line', () => {
  it('reads as the logger writes it: fields, order, bindings, message', () => {
    for (const f of CASES) {
      const { logger, lines } = capture();
      createRequestLog(logger)(f);
      viaLogger(logger, f);
      expect(lines).toHaveLength(2);
      expect(shape(lines[0])).toEqual(shape(lines[1]));
      // The time as the logger writes it (epoch milliseconds today; whatever its option becomes, the same kind).
      const time = (line: string | undefined) => typeof (JSON.parse(line as string) as { time: unknown }).time;
      expect(time(lines[0])).toBe(time(lines[1]));
      expect(time(lines[0])).toBe('number');
    }
  });

  it("carries a child logger's bindings as the child would", () => {
    const { logger, lines } = capture();
    const child = logger.child({ component: 'http' });
    createRequestLog(child)(CASES[0] as RequestLogFields);
    viaLogger(child, CASES[0] as RequestLogFields);
    expect(shape(lines[0])).toEqual(shape(lines[1]));
    expect(JSON.parse(lines[0] as string)).toMatchObject({ service: 'crossdock', component: 'http' });
  });

  it('masks a secret in the request id and personal data in a client name, as the logger does', () => {
    registerSecret('client-sent-secret-0042');
    const f: RequestLogFields = { reqId: 'client-sent-secret-0042', method: 'POST', route: '/graphql', status: 200, durationMs: 2, client: { name: 'ops@example.com', keyId: 'k1' } };
    const { logger, lines } = capture();
    createRequestLog(logger)(f);
    viaLogger(logger, f);
    expect(lines[0]).not.toContain('client-sent-secret-0042');
    expect(lines[0]).not.toContain('ops@example.com');
    expect(shape(lines[0])).toEqual(shape(lines[1]));
  });

  it("masks a secret registered after a client's fields were first written", () => {
    const { logger, lines } = capture();
    const write = createRequestLog(logger);
    const later = { name: 'team late-registered-value-99', keyId: 'k2' };
    write({ reqId: 'a', method: 'POST', route: '/graphql', status: 200, durationMs: 1, client: later });
    expect(lines[0]).toContain('late-registered-value-99');
    registerSecret('late-registered-value-99');
    write({ reqId: 'b', method: 'POST', route: '/graphql', status: 200, durationMs: 1, client: later });
    expect(lines[1]).not.toContain('late-registered-value-99');
    expect(JSON.parse(lines[1] as string)).toMatchObject({ client: 'team [secret]' });
  });

  it('writes nothing below the level info', () => {
    const { logger, lines } = capture('warn');
    createRequestLog(logger)(CASES[0] as RequestLogFields);
    expect(lines).toEqual([]);
  });
});
