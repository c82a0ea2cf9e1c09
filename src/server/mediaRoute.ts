/**
 * `GET /media/{key}`: the media store's objects (product draft images),
 * public — the store fetches a published product's image from here and a
 * draft's images are shown in pages — and never hot-linked from the vendor
 * (upstreams.md: TikTok's CDN links expire). Keys are content hashes, so an
 * object never changes: `Cache-Control: public, max-age=31536000,
 * immutable` (RFC 8246) and an ETag of the key; `nosniff` so a browser
 * takes the declared image type and nothing else (the store only holds
 * images sharp wrote).
 */
import type { FastifyInstance } from 'fastify';
import type { MediaStore } from '../media/mediaStore.js';
import { MEDIA_KEY } from '../media/mediaStore.js';

export const MEDIA_PATH = '/media';

export function registerMediaRoute(app: FastifyInstance, media: Pick<MediaStore, 'get'>): void {
  app.get(`${MEDIA_PATH}/:key`, async (request, reply) => {
    const { key } = request.params as { key: string };
    const etag = `"${key.slice(0, 64)}"`;
    const object = MEDIA_KEY.test(key) ? await media.get(key) : null;
    if (!object) return reply.code(404).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('no such media');
    reply.header('cache-control', 'public, max-age=31536000, immutable').header('etag', etag).header('x-content-type-options', 'nosniff');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type(object.contentType).send(object.bytes);
  });
}
