/**
 * Contract tests of the TikTok simulator over real HTTP on loopback, from
 * upstreams.md ("TikTok and WhatsApp"): the oEmbed answer's fields and
 * types, share links as redirects to the documented video URL form, the
 * thumbnail as an image on the CDN's host that expires, unknown videos and
 * the admin routes. TikTok's hosts are told apart by `Host`, as a hosts file
 * would send them to the twin.
 */
import sharp from 'sharp';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import { resetSandbox, sandboxStats, startSandbox } from '../support/sandbox.js';

type Json = any;
let sb: Sandbox;
let origin: string;

/** A GET to the twin as if to `host`. */
async function asHost(host: string, path: string) {
  const res = await request(`${origin}${path}`, { headers: { host } });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, bytes, json: () => JSON.parse(bytes.toString('utf8')) as Json };
}

beforeAll(async () => {
  sb = await startSandbox({ parts: 500, tiktok: { videos: 30 } });
  origin = sb.tiktok.url;
});
afterAll(async () => sb?.close());

describe('TikTok twin', () => {
  it('lists deterministic videos from 7000000000000000001 whose captions name real sandbox parts', async () => {
    const res = await fetch(`${origin}/__sandbox/videos?limit=10`);
    const body = (await res.json()) as Json;
    expect(body.total).toBe(30);
    expect(body.videos[0].id).toBe('7000000000000000001');
    expect(body.videos[0].url).toBe('https://www.tiktok.com/@sandbox/video/7000000000000000001');
    const withPart = body.videos.filter((v: Json) => v.part);
    expect(withPart.length).toBeGreaterThan(5);
    for (const v of withPart) {
      expect(v.caption).toContain(v.part.description);
      // The part is the supplier's: the FinditParts twin finds it by its number.
      const found = await fetch(`${sb.finditparts.apiBase}/products/lookup?part_number=${v.part.partNumber}`, { headers: { 'x-api-key': 'sandbox-api-key' } });
      expect(found.status).toBe(200);
    }
    // Prices in several written forms, emoji, and other languages.
    const captions = body.videos.map((v: Json) => v.caption).join('\n');
    expect(captions).toMatch(/\$\d+\.\d\d/);
    expect(captions).toMatch(/\d+,\d\d €/);
    expect(captions).toMatch(/USD \d+/);
    expect(captions).toMatch(/\d+ bucks/);
    expect(captions).toMatch(/🔥/);
    expect(captions).toMatch(/¡Oferta!/);
    expect(captions).toMatch(/für/);
  });

  it('answers oEmbed in the vendor shape: caption as title, numbers for thumbnail sizes, the video id', async () => {
    const url = 'https://www.tiktok.com/@sandbox/video/7000000000000000001';
    const res = await asHost('www.tiktok.com', `/oembed?url=${encodeURIComponent(url)}`);
    expect(res.status).toBe(200);
    const o = res.json();
    expect(o).toMatchObject({ version: '1.0', type: 'video', provider_name: 'TikTok', width: '100%', height: '100%', author_unique_id: 'sandbox', embed_product_id: '7000000000000000001' });
    expect(typeof o.title).toBe('string');
    expect(typeof o.thumbnail_width).toBe('number');
    expect(typeof o.thumbnail_height).toBe('number');
    expect(o.html).toContain('data-video-id="7000000000000000001"');
    expect(new URL(o.thumbnail_url).hostname).toMatch(/\.tiktokcdn\.com$/);
    expect(new URL(o.thumbnail_url).searchParams.get('x-expires')).toMatch(/^\d+$/);
  });

  it('serves the thumbnail as a real image on the CDN host only, and refuses a link whose signature does not match', async () => {
    const o = (await asHost('www.tiktok.com', `/oembed?url=${encodeURIComponent('https://www.tiktok.com/@sandbox/video/7000000000000000002')}`)).json();
    const u = new URL(o.thumbnail_url);
    const img = await asHost(u.host, `${u.pathname}${u.search}`);
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toBe('image/jpeg');
    const meta = await sharp(img.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', o.thumbnail_width, o.thumbnail_height]);
    expect((await asHost('www.tiktok.com', `${u.pathname}${u.search}`)).status).toBe(404);
    u.searchParams.set('x-signature', 'forged');
    expect((await asHost(u.host, `${u.pathname}${u.search}`)).status).toBe(403);
  });

  it('resolves share links (vm.tiktok.com and www.tiktok.com/t/) by a 301 to the video URL', async () => {
    const { videos } = (await (await fetch(`${origin}/__sandbox/videos?limit=3`)).json()) as Json;
    const v = videos[2];
    const short = new URL(v.shortUrl);
    const res = await asHost(short.host, short.pathname);
    expect(res.status).toBe(301);
    expect(new URL(res.headers.location as string).pathname).toBe(`/@sandbox/video/${v.id}`);
    const web = new URL(v.webShortUrl);
    expect(((await asHost(web.host, web.pathname)).headers.location as string)).toContain(`/video/${v.id}`);
    // The share-link form belongs to the share hosts.
    expect((await asHost('p16-sign-va.tiktokcdn.com', short.pathname)).status).toBe(404);
    expect((await asHost('vm.tiktok.com', '/ZZZZZZZZ/')).status).toBe(404);
  });

  it('answers an unknown video with a 400 and no video', async () => {
    const res = await asHost('www.tiktok.com', `/oembed?url=${encodeURIComponent('https://www.tiktok.com/@sandbox/video/6999999999999999999')}`);
    expect(res.status).toBe(400);
    expect((await asHost('www.tiktok.com', '/oembed?url=https%3A%2F%2Fexample.com%2F')).status).toBe(400);
  });

  it('takes videos with hostile thumbnails and share links that redirect anywhere (admin), and counts requests by host', async () => {
    await resetSandbox(origin, true);
    const put = await fetch(`${origin}/__sandbox/videos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: '7100000000000000001', caption: 'x', thumbnail: 'notImage' }) });
    expect(put.status).toBe(200);
    const o = (await asHost('www.tiktok.com', `/oembed?url=${encodeURIComponent('https://www.tiktok.com/@sandbox/video/7100000000000000001')}`)).json();
    const u = new URL(o.thumbnail_url);
    const page = await asHost(u.host, `${u.pathname}${u.search}`);
    expect(page.headers['content-type']).toContain('text/html');
    await fetch(`${origin}/__sandbox/shortlinks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'EVIL01', location: 'http://169.254.169.254/latest/meta-data/' }) });
    expect((await asHost('vm.tiktok.com', '/EVIL01/')).headers.location).toBe('http://169.254.169.254/latest/meta-data/');
    const hosts = (await (await fetch(`${origin}/__sandbox/hosts`)).json()) as Json;
    expect(hosts['vm.tiktok.com']).toBe(1);
    expect((await sandboxStats(origin)).requests).toBe(3);
  });
});
