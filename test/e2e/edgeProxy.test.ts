/**
 * The edge as deployed: deploy/nginx.conf run by Debian's nginx (addresses,
 * ports and certificate paths substituted, nothing else) in front of a real
 * gateway that trusts only that proxy for the client address. TLS 1.2+ and
 * HSTS at the edge; the client's own X-Forwarded-For never reaches the
 * gateway, so an allow-list cannot be spoofed through the proxy.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'crossdock-edge-'));
const LOCAL = 'local-only-key-0123456789ab';
const LAN = 'lan-only-key-0123456789abcd';
let gw: TestGateway;
let nginx: ChildProcess | undefined;
let httpsPort = 0;
let httpPort = 0;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** deploy/nginx.conf with this run's addresses: the upstream is the test gateway, nginx connects to it from 127.0.0.2. */
function edgeConfig(gatewayPort: number): string {
  let conf = readFileSync(join(root, 'deploy', 'nginx.conf'), 'utf8');
  const swap = (from: RegExp, to: string) => {
    if (!from.test(conf)) throw new Error(`deploy/nginx.conf no longer has ${from}; update the test's substitutions`);
    conf = conf.replace(from, to);
  };
  swap(/server gateway-1:4000[^;]*;\n\s*server gateway-2:4000[^;]*;/, `server 127.0.0.1:${gatewayPort};`);
  swap(/listen 8080;/, `listen 127.0.0.1:${httpPort};`);
  swap(/listen 8443 ssl;/, `listen 127.0.0.1:${httpsPort} ssl;`);
  swap(/\$host:8443/, `$host:${httpsPort}`);
  swap(/\/etc\/nginx\/certs\//g, `${dir}/`);
  // A distinct source address for the proxy's upstream connections, so the gateway can trust the
  // proxy (127.0.0.2) and not the client (127.0.0.1) on one loopback interface.
  swap(/http \{\n/, `http {\n  proxy_bind 127.0.0.2;\n  access_log off;\n  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;\n`);
  return conf;
}

function handshake(version: tls.SecureVersion): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port: httpsPort, minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0', ca: readFileSync(join(dir, 'fullchain.pem')), servername: 'localhost' }, () => {
      resolve(socket.getProtocol() ?? 'unknown');
      socket.end();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    socket.setTimeout(5_000, () => socket.destroy(new Error('timeout')));
  });
}

function viaEdge(key: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: httpsPort, path: '/graphql', method: 'POST', ca: readFileSync(join(dir, 'fullchain.pem')), servername: 'localhost', headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ query: '{ __typename }' }));
  });
}

describe.skipIf(!NGINX)('the edge proxy (deploy/nginx.conf in nginx)', () => {
  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'privkey.pem'), '-out', join(dir, 'fullchain.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore', timeout: 30_000 });
    const keysFile = join(dir, 'keys.json');
    writeFileSync(keysFile, JSON.stringify([{ client: 'local', role: 'viewer', key: LOCAL, allow: ['127.0.0.1/32'] }, { client: 'lan', role: 'viewer', key: LAN, allow: ['10.0.0.0/8'] }]));
    gw = await startGateway({ CROSSDOCK_API_KEYS_FILE: keysFile, TRUSTED_PROXIES: '127.0.0.2/32' }, { parts: 50 });
    [httpsPort, httpPort] = [await freePort(), await freePort()];
    const confFile = join(dir, 'nginx.conf');
    writeFileSync(confFile, edgeConfig(Number(new URL(gw.url).port)));
    const globals = `daemon off; master_process on; pid ${dir}/nginx.pid; error_log ${dir}/error.log warn;`;
    const check = spawnSync(NGINX!, ['-p', dir, '-c', confFile, '-g', globals, '-t'], { encoding: 'utf8', timeout: 10_000 });
    expect(check.status, check.stderr).toBe(0);
    nginx = spawn(NGINX!, ['-p', dir, '-c', confFile, '-g', globals], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while ((await handshake('TLSv1.2')) !== 'TLSv1.2') {
      if (Date.now() > deadline) throw new Error(`nginx did not come up: ${existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : ''}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);
  afterAll(async () => {
    nginx?.kill('SIGQUIT');
    await gw?.close();
  });

  it('terminates TLS 1.2 and 1.3 only, and answers with HSTS', async () => {
    expect(await handshake('TLSv1.1')).not.toBe('TLSv1.1');
    expect(await handshake('TLSv1.2')).toBe('TLSv1.2');
    expect(await handshake('TLSv1.3')).toBe('TLSv1.3');
    const res = await viaEdge(LOCAL);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ data: { __typename: 'Query' } });
    expect(res.headers['strict-transport-security']).toBe('max-age=63072000');
  });

  it('the gateway sees the client address the edge saw: a key allowed from 127.0.0.1 passes, and a spoofed X-Forwarded-For cannot pass a 10.0.0.0/8 allow-list', async () => {
    expect((await viaEdge(LOCAL, { 'x-forwarded-for': '10.1.2.3' })).status).toBe(200);
    const spoofed = await viaEdge(LAN, { 'x-forwarded-for': '10.1.2.3' });
    expect(spoofed.status).toBe(403);
    expect(JSON.parse(spoofed.body).errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NETWORK_NOT_ALLOWED' });
  });

  it('plain HTTP only redirects to HTTPS', async () => {
    const res = await fetch(`http://127.0.0.1:${httpPort}/graphql`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`https://127.0.0.1:${httpsPort}/graphql`);
  });
});
