/**
 * The simulated M3 company's data, derived on demand from the sandbox's
 * seeded parts catalog (the same parts the supplier sells): a share of the
 * parts are M3 items under the same item number (the rest are missing from
 * the ERP), each stocked in some of the company's warehouses. Most items'
 * available stock adds up to what the seeded store holds (the store mirrors
 * the supplier's stock at seed time); a share (`otherStockShare`) has stock
 * of its own, so drift finds where the ERP and the store disagree. Plus a
 * few customers.
 *
 * Values are what M3 keeps: codes (STAT 20 released, 80 phasing out, 90
 * deactivated), decimals with six places, dates as YYYYMMDD. Nothing here is
 * shared with the gateway's connector (DESIGN.md, principle 5).
 */
import type { Catalog, CatalogPart } from '../common/catalog.js';
import { rng, unit } from '../common/random.js';

export interface ErpItemRecord {
  ITNO: string;
  ITDS: string;
  FUDS: string;
  STAT: string;
  ITTY: string;
  ITGR: string;
  UNMS: string;
  RESP: string;
  GRWE: string;
  RGDT: string;
  LMDT: string;
}

export interface ErpBalanceRecord {
  WHLO: string;
  ITNO: string;
  WHSL: string;
  BANO: string;
  STQT: string;
  ALQT: string;
  AVAL: string;
}

export interface ErpCustomerRecord {
  CUNO: string;
  CUNM: string;
  CUTP: string;
  STAT: string;
  CUCD: string;
  CSCD: string;
}

/** The company's warehouses (WHLO), with a name each. */
export const WAREHOUSES: ReadonlyArray<{ code: string; name: string }> = [
  { code: 'DC1', name: 'Columbus distribution center' },
  { code: 'DC2', name: 'Reno distribution center' },
  { code: 'DC3', name: 'Atlanta distribution center' },
];

/** The customers orders are entered for (CUNO); WEBSTORE is the storefront's. */
export const CUSTOMERS: readonly ErpCustomerRecord[] = [
  { CUNO: 'WEBSTORE', CUNM: 'Web store orders', CUTP: '1', STAT: '20', CUCD: 'USD', CSCD: 'US' },
  { CUNO: 'FLEET01', CUNM: 'Midwest Fleet Services', CUTP: '0', STAT: '20', CUCD: 'USD', CSCD: 'US' },
  { CUNO: 'DEALER9', CUNM: 'Lakeside Truck Dealer', CUTP: '0', STAT: '90', CUCD: 'USD', CSCD: 'US' },
];

/** Item types (ITTY) by catalog category. */
const ITEM_TYPES: Record<string, string> = {
  brakes: 'BRK',
  filters: 'FLT',
  lighting: 'LGT',
  electrical: 'ELC',
  suspension: 'SUS',
  drivetrain: 'DRV',
  cooling: 'COL',
  engine: 'ENG',
};

const SALT_PRESENT = 301;
const SALT_ITEM = 302;
const SALT_STOCK = 303;

/** A decimal with six places, as M3 answers quantities and weights. */
export const six = (n: number) => n.toFixed(6);

const ymd8 = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, '');

export interface ErpData {
  readonly company: string;
  item(itemNumber: string): ErpItemRecord | undefined;
  /** Item numbers from `from` on, in item-number order, at most `limit`. */
  itemsFrom(from: string, limit: number): ErpItemRecord[];
  /** Stock balances of an item, by warehouse and location (empty for an item with no stock anywhere). */
  balances(itemNumber: string): ErpBalanceRecord[];
  customer(number: string): ErpCustomerRecord | undefined;
  /** Makes these catalog part numbers M3 items too (an item added by hand); answers those that were not. Kept until a data reset. */
  addItems(itemNumbers: readonly string[]): string[];
  /** Forgets the items added (a data reset). */
  resetAdded(): void;
}

export function createErpData(catalog: Catalog, options: { seed: number; company: string; itemShare: number; otherStockShare: number }): ErpData {
  const { seed, itemShare, otherStockShare } = options;
  let sorted: string[] | undefined;
  const added = new Set<number>();

  function present(index: number): boolean {
    return added.has(index) || unit(seed, index, SALT_PRESENT) < itemShare;
  }

  function partOf(itemNumber: string): CatalogPart | undefined {
    const index = catalog.indexOfPartNumber(itemNumber);
    if (index === undefined || !present(index)) return undefined;
    return catalog.get(index);
  }

  function itemRecord(part: CatalogPart): ErpItemRecord {
    const r = rng(seed, part.index, SALT_ITEM);
    const roll = r();
    const registered = new Date(Date.UTC(2019, 0, 1) + Math.floor(r() * 5 * 365) * 86_400_000);
    const changed = new Date(registered.getTime() + Math.floor(r() * 700) * 86_400_000);
    return {
      ITNO: part.partNumber,
      ITDS: part.description.slice(0, 30),
      FUDS: `${part.manufacturer} ${part.description}`.slice(0, 60),
      STAT: roll < 0.02 ? '90' : roll < 0.1 ? '80' : '20',
      ITTY: ITEM_TYPES[part.category] ?? 'GEN',
      ITGR: part.manufacturerCode,
      UNMS: 'EA',
      RESP: 'PURCH01',
      // Pounds to kilograms (the company keeps metric weights).
      GRWE: six(Math.round(part.weightLb * 0.45359237 * 1000) / 1000),
      RGDT: ymd8(registered),
      LMDT: ymd8(changed),
    };
  }

  return {
    company: options.company,
    item(itemNumber) {
      const part = partOf(itemNumber);
      return part ? itemRecord(part) : undefined;
    },
    itemsFrom(from, limit) {
      sorted ??= (() => {
        const numbers: string[] = [];
        for (let i = 1; i <= catalog.size; i++) if (present(i)) numbers.push(catalog.get(i)!.partNumber);
        return numbers.sort();
      })();
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]! < from) lo = mid + 1;
        else hi = mid;
      }
      return sorted.slice(lo, lo + limit).map((n) => itemRecord(partOf(n)!));
    },
    balances(itemNumber) {
      const part = partOf(itemNumber);
      if (!part) return [];
      const r = rng(seed, part.index, SALT_STOCK);
      // Available stock: what the store was seeded with (the supplier's), or for a share, its own.
      const available = r() < otherStockShare ? Math.floor(r() * r() * 500) : (part.variants[0]?.quantity ?? 0);
      if (available === 0 && r() < 0.5) return [];
      const out: ErpBalanceRecord[] = [];
      const first = Math.floor(r() * WAREHOUSES.length);
      const count = 1 + Math.floor(r() * WAREHOUSES.length);
      const slots: Array<{ warehouse: string; location: number }> = [];
      for (let w = 0; w < count; w++) {
        const warehouse = WAREHOUSES[(first + w) % WAREHOUSES.length]!.code;
        const locations = r() < 0.3 ? 2 : 1;
        for (let l = 0; l < locations; l++) slots.push({ warehouse, location: l });
      }
      // The available total spread over the locations; allocated stock on top of it.
      let left = available;
      slots.forEach((slot, i) => {
        const here = i === slots.length - 1 ? left : Math.floor(left * r());
        left -= here;
        const allocated = Math.floor(r() * r() * 40);
        out.push({
          WHLO: slot.warehouse,
          ITNO: part.partNumber,
          WHSL: `${String.fromCharCode(65 + slot.location)}-${String(1 + Math.floor(r() * 40)).padStart(2, '0')}-${String(1 + Math.floor(r() * 9))}`,
          BANO: '',
          STQT: six(here + allocated),
          ALQT: six(allocated),
          AVAL: six(here),
        });
      });
      return out;
    },
    customer: (number) => CUSTOMERS.find((c) => c.CUNO === number),
    addItems(itemNumbers) {
      const out: string[] = [];
      for (const n of itemNumbers) {
        const index = catalog.indexOfPartNumber(n);
        if (index === undefined || present(index)) continue;
        added.add(index);
        out.push(n);
      }
      if (out.length) sorted = undefined;
      return out;
    },
    resetAdded() {
      added.clear();
      sorted = undefined;
    },
  };
}
