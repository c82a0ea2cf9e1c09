/**
 * A request whose head is larger than Node's header limit (16 KiB) is
 * refused by the HTTP parser before any route runs. Found by the fuzz run
 * (seed 1885972321): that answer was Fastify's default body, not a coded
 * GraphQL error like every other refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw?.close();
});

describe('a request head over the header limit', () => {
  it('a GET /graphql with a 20 KB query string is 431 with a coded error body, and the gateway goes on', async () => {
    const query = `{ __typename ${'a'.repeat(20_000)} }`;
    const res = await fetch(`${gw.url}/graphql?query=${encodeURIComponent(query)}`, { headers: { 'x-api-key': gw.key } });
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as { errors?: Array<{ message: string; extensions?: { code?: string } }> };
    expect(body.errors?.[0]?.extensions?.code).toBe('REQUEST_HEADER_FIELDS_TOO_LARGE');
    expect(body.errors?.[0]?.message).toMatch(/header/i);
    const after = await gw.gql('{ __typename }');
    expect(after.status).toBe(200);
  });

  it('a malformed request line is 400 with a coded error body', async () => {
    const { connect } = await import('node:net');
    const url = new URL(gw.url);
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.write('NOT A REQUEST\r\n\r\n'));
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
      socket.setTimeout(5_000, () => socket.destroy(new Error('no answer')));
    });
    expect(text).toMatch(/^HTTP\/1\.1 400/);
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { errors?: Array<{ extensions?: { code?: string } }> };
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  });
});
