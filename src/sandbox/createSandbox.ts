/**
 * Starts every simulator in one world. Used by `npm run sandbox` and by the
 * tests (with port 0, so each test gets its own ephemeral ports); the
 * embedded gateway starts only the twins of the connectors it runs against
 * (src/composition/upstreams.ts).
 */
import type { BigCommerceOrigin } from './bigcommerce/app.js';
import type { FinditPartsOrigin } from './finditparts/app.js';
import type { IonOrigin } from './ion/app.js';
import type { ShopifyOrigin } from './shopify/app.js';
import type { SandboxOptions, SandboxOptionsInput } from './options.js';
import { startBigCommerceTwin, startFinditPartsTwin, startIonTwin, startShopifyTwin } from './twins.js';
import { createSandboxWorld, type RunningOrigin } from './world.js';

export type { RunningOrigin } from './world.js';

export interface Sandbox {
  options: SandboxOptions;
  finditparts: RunningOrigin<FinditPartsOrigin>;
  bigcommerce: RunningOrigin<BigCommerceOrigin>;
  ion: RunningOrigin<IonOrigin>;
  shopify: RunningOrigin<ShopifyOrigin>;
  close(): Promise<void>;
}

export async function createSandbox(input: SandboxOptionsInput = {}): Promise<Sandbox> {
  const world = createSandboxWorld(input);
  try {
    const finditparts = await startFinditPartsTwin(world);
    const bigcommerce = await startBigCommerceTwin(world);
    const ion = await startIonTwin(world);
    const shopify = await startShopifyTwin(world);
    return { options: world.options, finditparts, bigcommerce, ion, shopify, close: () => world.close() };
  } catch (err) {
    await world.close();
    throw err;
  }
}
