/**
 * The sandbox world: one seeded catalog and one set of options that every
 * simulator started from it shares, so the store's products are derived from
 * the same parts the supplier sells. The embedded gateway makes one and each
 * connector that runs against its twin starts that twin in it (twins.ts);
 * `npm run sandbox` and the tests start every twin (createSandbox.ts).
 */
import { createCatalog, type Catalog } from './common/catalog.js';
import type { Origin } from './common/origin.js';
import { resolveSandboxOptions, type SandboxOptions, type SandboxOptionsInput } from './options.js';

export interface RunningOrigin<O extends Origin = Origin> {
  origin: O;
  /** The origin, e.g. `http://127.0.0.1:4101`; admin routes live under `/__sandbox`. */
  url: string;
  /** The API base a connector is configured with. */
  apiBase: string;
}

export interface SandboxWorld {
  options: SandboxOptions;
  /** The seeded catalog, generated on first use. */
  catalog(): Catalog;
  /** The twins started in this world, by connector name. */
  readonly running: ReadonlyMap<string, RunningOrigin>;
  /** Records a started twin, so close() stops it. */
  add(name: string, origin: RunningOrigin): void;
  close(): Promise<void>;
}

export function createSandboxWorld(input: SandboxOptionsInput = {}): SandboxWorld {
  const options = resolveSandboxOptions(input);
  let catalog: Catalog | undefined;
  const running = new Map<string, RunningOrigin>();
  return {
    options,
    catalog: () => (catalog ??= createCatalog({ size: options.parts, seed: options.seed })),
    running,
    add(name, origin) {
      running.set(name, origin);
    },
    async close() {
      await Promise.allSettled([...running.values()].map((r) => r.origin.close()));
      running.clear();
    },
  };
}
