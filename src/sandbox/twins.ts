/**
 * Starting each simulator in a sandbox world. A connector's sandbox hook
 * calls its twin's starter here (through a dynamic import, so production
 * never loads the simulators); createSandbox starts them all.
 */
import { createBigCommerceOrigin, type BigCommerceOrigin } from './bigcommerce/app.js';
import { createFinditPartsOrigin, type FinditPartsOrigin } from './finditparts/app.js';
import { createIonOrigin, type IonOrigin } from './ion/app.js';
import { createShopifyOrigin, type ShopifyOrigin } from './shopify/app.js';
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

/** The simulator behind each twin name, for callers that drive a twin directly (tests, benchmarks). */
export interface Twins {
  finditparts: FinditPartsOrigin;
  bigcommerce: BigCommerceOrigin;
  ion: IonOrigin;
  shopify: ShopifyOrigin;
}

/** A twin running in `world`, typed by name; undefined when that connector is not on its twin. */
export function runningTwin<K extends keyof Twins>(world: SandboxWorld | undefined, name: K): RunningOrigin<Twins[K]> | undefined {
  return world?.running.get(name) as RunningOrigin<Twins[K]> | undefined;
}
