/**
 * The logger's second net (src/observability/pathCensor.ts): REDACT_PATHS
 * censored in a line's object whatever the first net did, and a logger
 * whose line reaches it unscrubbed still writes no credential.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACT_PATHS } from '../../src/observability/logger.js';
import { parsePath, pathCensor } from '../../src/observability/pathCensor.js';
import { CENSOR } from '../../src/observability/redact.js';

describe('parsePath', () => {
  it.each([
    ['key', ['key']],
    ['*.apiKey', ['*', 'apiKey']],
    ['headers.authorization', ['headers', 'authorization']],
    ['headers["x-api-key"]', ['headers', 'x-api-key']],
    ["req.headers['x-auth-token']", ['req', 'headers', 'x-auth-token']],
  ])('reads %s', (path, parts) => {
    expect(parsePath(path)).toEqual(parts);
  });

  it.each(['', 'a[', 'a["b"', 'a]b'])('refuses %j', (path) => {
    expect(() => parsePath(path)).toThrow(/invalid log redaction path/);
  });
});

describe('pathCensor over REDACT_PATHS', () => {
  const censor = pathCensor(REDACT_PATHS, CENSOR);

  it('censors top-level names, any property one level down, and the header paths', () => {
    const line = {
      msg: 'request',
      token: 't-1',
      req: { method: 'POST', url: '/graphql', headers: { authorization: 'Bearer a', 'x-api-key': 'k-1', 'x-auth-token': 'x-1', accept: 'json' } },
      headers: { 'x-api-key': 'k-2', host: 'h', token: 't-2' },
      upstream: { accessToken: 'a-1', status: 200 },
    };
    expect(censor(line)).toEqual({
      msg: 'request',
      token: CENSOR,
      req: { method: 'POST', url: '/graphql', headers: { authorization: CENSOR, 'x-api-key': CENSOR, 'x-auth-token': CENSOR, accept: 'json' } },
      // `headers["x-api-key"]` and `*.token` both name properties of `headers`.
      headers: { 'x-api-key': CENSOR, host: 'h', token: CENSOR },
      upstream: { accessToken: CENSOR, status: 200 },
    });
  });

  it('never changes the object it is given, and answers it as is when nothing matches', () => {
    const line = { req: { headers: { 'x-api-key': 'k' } }, n: 1 };
    const out = censor(line);
    expect(line.req.headers['x-api-key']).toBe('k');
    expect(out).not.toBe(line);
    const clean = { msg: 'ok', req: { method: 'GET', headers: { accept: '*/*' } }, list: [{ token: 'in an array' }] };
    expect(censor(clean)).toBe(clean);
  });

  it('leaves what the paths do not reach: deeper properties and array items (the first net masks those)', () => {
    const line = { a: { b: { token: 'deep' } }, list: [{ token: 'item' }] };
    expect(censor(line)).toBe(line);
  });
});

describe('the logger', () => {
  function capture() {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    return { logger: createLogger({ level: 'info', destination }), lines };
  }

  it("scrubs a child logger's bindings with the first net too (pino's bindings formatter never sees a child's)", () => {
    const { logger, lines } = capture();
    logger.child({ component: 'x', customer: { email: 'jane.doe@example.com' }, note: 'call +14155550123' }).child({ apiKey: 'grandchild-key' }).info('hello');
    const text = lines.join('');
    expect(text).toContain('"component":"x"');
    for (const secret of ['jane.doe@example.com', '4155550123', 'grandchild-key']) expect(text).not.toContain(secret);
  });

  it('writes no credential on a path even when the line skips the first net (a child binding, a line object)', () => {
    const { logger, lines } = capture();
    // The first net (scrubValue) runs first and masks these by name; the second is checked alone in pathCensor above.
    logger.child({ headers: { 'x-api-key': 'child-secret-key' } }).info({ req: { headers: { authorization: 'Bearer line-secret' } }, token: 'tok-secret' }, 'done');
    const text = lines.join('');
    expect(text).toContain('"msg":"done"');
    for (const secret of ['child-secret-key', 'line-secret', 'tok-secret']) expect(text).not.toContain(secret);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ token: CENSOR, req: { headers: { authorization: CENSOR } } });
  });
});
