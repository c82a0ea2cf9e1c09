/**
 * The throughput baseline: a bare Fastify server whose POST /graphql parses
 * the JSON body (Fastify's default parser) and answers a fixed, pre-captured
 * response body. Started by bench/throughput.ts as a child process with
 * BARE_PORT, BARE_BODY_FILE and BARE_CONTENT_TYPE.
 *
 * BARE_COMPRESS=1 gives it the compression the gateway's Fastify gets
 * (src/server/hardening.ts): @fastify/compress, br, gzip or deflate as the
 * client's Accept-Encoding allows, for answers of 1 KiB or more, compressed
 * per request, with the brotli settings of src/server/compression.ts
 * (quality 1, told the answer's size). The options are repeated here rather
 * than imported, so the baseline stays a bare Fastify whatever src/ becomes;
 * keep them in step. (It does not keep compressed copies as Crossdock's
 * response cache does: every answer is compressed as it is sent.)
 */
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import compress from '@fastify/compress';
import Fastify from 'fastify';

const port = Number(process.env.BARE_PORT ?? '0');
const bodyFile = process.env.BARE_BODY_FILE;
if (!bodyFile) throw new Error('BARE_BODY_FILE is required');
const body = readFileSync(bodyFile, 'utf8');
const contentType = process.env.BARE_CONTENT_TYPE ?? 'application/json';

const app = Fastify({ logger: false });
if (process.env.BARE_COMPRESS === '1') {
  const brotliCompressSync = (input: Buffer) =>
    zlib.brotliCompressSync(input, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: input.length } });
  await app.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip', 'deflate'], zlib: { brotliCompressSync } });
}
app.get('/health', async () => ({ status: 'ok' }));
app.post('/graphql', async (_request, reply) => reply.header('content-type', contentType).send(body));

await app.listen({ port, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`bare server listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}\n`);

const stop = () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
