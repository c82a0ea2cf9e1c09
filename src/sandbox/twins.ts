/**
 * Starting each simulator in a sandbox world. A connector's sandbox hook
 * calls its twin's starter here (through a dynamic import, so production
 * never loads the simulators); createSandbox starts them all.
 */
import { createBigCommerceOrigin, type BigCommerceOrigin } from './bigcommerce/app.js';
import { createFinditPartsOrigin, type FinditPartsOrigin } from './finditparts/app.js';
import { createIonOrigin, type IonOrigin } from './ion/app.js';
import { createShopifyOrigin, type ShopifyOrigin } from './shopify/app.js';
import { createTikTokOrigin, type TikTokOrigin } from './tiktok/app.js';
import { createWhatsAppOrigin, type WhatsAppOrigin } from './whatsapp/app.js';
import type { RunningOrigin, SandboxWorld } from './world.js';

async function listen<O extends RunningOrigin['origin']>(world: SandboxWorld, name: string, origin: O, port: number, apiPath: string): Promise<RunningOrigin<O>> {
  try {
    const url = await origin.listen(port, world.options.host);
    const running: RunningOrigin<O> = { origin, url, apiBase: `${url}${apiPath}` };
    world.add(name, running);
    return running;
  } catch (err) {
    await origin.close().catch(() => undefined);
    throw err;
  }
}

/** The FinditParts Reseller API simulator; its API base is `{origin}/api/v1`. */
export function startFinditPartsTwin(world: SandboxWorld): Promise<RunningOrigin<FinditPartsOrigin>> {
  const o = world.options.finditparts;
  return listen(world, 'finditparts', createFinditPartsOrigin(o, world.catalog()), o.port, '/api/v1');
}

/** The BigCommerce Management API simulator; its API base is `{origin}/stores/{hash}`. */
export function startBigCommerceTwin(world: SandboxWorld): Promise<RunningOrigin<BigCommerceOrigin>> {
  const o = world.options.bigcommerce;
  return listen(world, 'bigcommerce', createBigCommerceOrigin(o, world.catalog()), o.port, `/stores/${o.storeHash}`);
}

/** The Infor ION API simulator (its authorization server and M3 MI REST); its API base is `{origin}/{tenant}`. */
export function startIonTwin(world: SandboxWorld): Promise<RunningOrigin<IonOrigin>> {
  const o = world.options.ion;
  return listen(world, 'ion', createIonOrigin(o, world.catalog(), world.options.seed), o.port, `/${o.tenant}`);
}

/**
 * The Shopify GraphQL Admin API simulator. Its API base is the shop's origin
 * itself (`SHOPIFY_STORE_URL`): the API lives at `{origin}/admin/api/{version}/graphql.json`.
 */
export function startShopifyTwin(world: SandboxWorld): Promise<RunningOrigin<ShopifyOrigin>> {
  const o = world.options.shopify;
  return listen(world, 'shopify', createShopifyOrigin(o, world.catalog(), world.options.seed), o.port, '');
}

/** The TikTok simulator (oEmbed, share links, CDN, told apart by Host); its API base is `{origin}/oembed`. */
export function startTikTokTwin(world: SandboxWorld): Promise<RunningOrigin<TikTokOrigin>> {
  const o = world.options.tiktok;
  return listen(world, 'tiktok', createTikTokOrigin(o, world.catalog(), world.options.seed), o.port, '/oembed');
}

/**
 * The WhatsApp Cloud API simulator; its API base is `{origin}/{version}`. Its product catalog is the
 * store's: the store twin's SKUs when it runs in this world, else the seeded catalog's part numbers
 * (the store's SKUs at start).
 */
export function startWhatsAppTwin(world: SandboxWorld): Promise<RunningOrigin<WhatsAppOrigin>> {
  const o = world.options.whatsapp;
  const catalogHas = (retailerId: string) => {
    const store = runningTwin(world, 'bigcommerce');
    return store ? store.origin.productBySku(retailerId) !== undefined : world.catalog().indexOfPartNumber(retailerId) !== undefined;
  };
  return listen(world, 'whatsapp', createWhatsAppOrigin(o, catalogHas), o.port, `/${o.apiVersion}`);
}

/** The simulator behind each twin name, for callers that drive a twin directly (tests, benchmarks). */
export interface Twins {
  finditparts: FinditPartsOrigin;
  bigcommerce: BigCommerceOrigin;
  ion: IonOrigin;
  shopify: ShopifyOrigin;
  tiktok: TikTokOrigin;
  whatsapp: WhatsAppOrigin;
}

/** A twin running in `world`, typed by name; undefined when that connector is not on its twin. */
export function runningTwin<K extends keyof Twins>(world: SandboxWorld | undefined, name: K): RunningOrigin<Twins[K]> | undefined {
  return world?.running.get(name) as RunningOrigin<Twins[K]> | undefined;
}
