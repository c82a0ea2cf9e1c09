/**
 * Starts both simulators. Used by `npm run sandbox`, by the embedded gateway
 * (`npm start` with no upstream configured) and by every integration test
 * (with port 0, so each test gets its own ephemeral ports).
 */
import { createBigCommerceOrigin, type BigCommerceOrigin } from './bigcommerce/app.js';
import { createCatalog } from './common/catalog.js';
import { createFinditPartsOrigin, type FinditPartsOrigin } from './finditparts/app.js';
import { resolveSandboxOptions, type SandboxOptions, type SandboxOptionsInput } from './options.js';

export interface RunningOrigin<O> {
  origin: O;
  /** The origin, e.g. `http://127.0.0.1:4101`; admin routes live under `/__sandbox`. */
  url: string;
  /** The API base a connector is configured with. */
  apiBase: string;
}

export interface Sandbox {
  options: SandboxOptions;
  finditparts: RunningOrigin<FinditPartsOrigin>;
  bigcommerce: RunningOrigin<BigCommerceOrigin>;
  close(): Promise<void>;
}

export async function createSandbox(input: SandboxOptionsInput = {}): Promise<Sandbox> {
  const options = resolveSandboxOptions(input);
  const catalog = createCatalog({ size: options.parts, seed: options.seed });
  const fip = createFinditPartsOrigin(options.finditparts, catalog);
  const bc = createBigCommerceOrigin(options.bigcommerce, catalog);
  try {
    const fipUrl = await fip.listen(options.finditparts.port, options.host);
    const bcUrl = await bc.listen(options.bigcommerce.port, options.host);
    return {
      options,
      finditparts: { origin: fip, url: fipUrl, apiBase: `${fipUrl}/api/v1` },
      bigcommerce: { origin: bc, url: bcUrl, apiBase: `${bcUrl}/stores/${options.bigcommerce.storeHash}` },
      async close() {
        await Promise.all([fip.close(), bc.close()]);
      },
    };
  } catch (err) {
    await Promise.allSettled([fip.close(), bc.close()]);
    throw err;
  }
}
