/**
 * In-process HTTPS (TLS_CERT_FILE, TLS_KEY_FILE): TLS 1.2 at least. A client
 * limited to TLS 1.1 is refused; 1.2 and 1.3 are served. A control server that
 * allows TLS 1.1 accepts the same client, so the refusal is the gateway's.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';

const dir = mkdtempSync(join(tmpdir(), 'crossdock-tls-'));
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');
let gw: TestGateway;
let port = 0;

beforeAll(async () => {
  // A self-signed certificate for 127.0.0.1, made for this run.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore', timeout: 30_000 });
  gw = await startGateway({ TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile, CROSSDOCK_API_KEYS: 'ops:admin:tls-test-key-0123456789' }, { parts: 50 });
  port = Number(new URL(gw.url).port);
});
afterAll(async () => {
  await gw?.close();
});

/** The negotiated protocol, or the error code the handshake ended with. */
function handshake(p: number, version: tls.SecureVersion): Promise<string> {
  return new Promise((resolve) => {
    // SECLEVEL=0 so the client itself is willing to speak TLS 1.1 (OpenSSL 3's default level refuses it).
    const socket = tls.connect({ host: '127.0.0.1', port: p, minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0', ca: readFileSync(certFile), servername: 'localhost' }, () => {
      resolve(socket.getProtocol() ?? 'unknown');
      socket.end();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    socket.setTimeout(5_000, () => socket.destroy(new Error('timeout')));
  });
}

describe('in-process HTTPS', () => {
  it('refuses TLS 1.1 and serves TLS 1.2 and 1.3', async () => {
    expect(gw.url).toMatch(/^https:\/\//);
    expect(await handshake(port, 'TLSv1.1')).toMatch(/ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION|ERR_SSL_UNSUPPORTED_PROTOCOL|EPROTO|ECONNRESET/);
    expect(await handshake(port, 'TLSv1.2')).toBe('TLSv1.2');
    expect(await handshake(port, 'TLSv1.3')).toBe('TLSv1.3');
  });

  it('the same TLS 1.1 client is accepted by a server that allows it (so the refusal above is the gateway’s)', async () => {
    const server = tls.createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile), minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, (s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    try {
      expect(await handshake(typeof address === 'object' && address ? address.port : 0, 'TLSv1.1')).toBe('TLSv1.1');
    } finally {
      server.close();
    }
  });

  it('answers GraphQL over HTTPS with the certificate it was given', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/graphql', method: 'POST', ca: readFileSync(certFile), servername: 'localhost', headers: { 'content-type': 'application/json', 'x-api-key': 'tls-test-key-0123456789' } },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ query: '{ __typename }' }));
    });
    expect(JSON.parse(body)).toEqual({ data: { __typename: 'Query' } });
  });
});
