/**
 * The sandbox's deterministic parts catalog: record `i` (1-based) is a pure
 * function of (seed, i), so the catalog can hold a million parts without
 * materialising them. Both simulators read it: the supplier serves it, and
 * the store's initial state is derived from it (a share already synced, some
 * of it drifted).
 *
 * These are the sandbox's own types; nothing here is shared with the
 * gateway's connectors (DESIGN.md, principle 5).
 */
import { pick, rng } from './random.js';

export interface CatalogVariant {
  variantId: number;
  priceCents: number;
  quantity: number;
  packQuantity: number;
  minimum: number;
  corePriceCents: number;
  estimatedShipDate: string;
}

export interface CatalogFitment {
  year: number;
  make: string;
  model: string;
}

export interface CatalogPart {
  index: number;
  manufacturer: string;
  manufacturerCode: string;
  partNumber: string;
  description: string;
  category: string;
  sellable: boolean;
  weightLb: number;
  variants: CatalogVariant[];
  fitments: CatalogFitment[];
}

export const MANUFACTURERS: ReadonlyArray<{ name: string; code: string }> = [
  { name: 'Bendix', code: 'BX' },
  { name: 'Meritor', code: 'MR' },
  { name: 'Dayton Parts', code: 'DP' },
  { name: 'Phillips Industries', code: 'PH' },
  { name: 'Grote', code: 'GR' },
  { name: 'Truck-Lite', code: 'TL' },
  { name: 'Fleetguard', code: 'FG' },
  { name: 'Donaldson', code: 'DN' },
  { name: 'Baldwin', code: 'BW' },
  { name: 'Gates', code: 'GT' },
  { name: 'Dorman', code: 'DM' },
  { name: 'Haldex', code: 'HX' },
  { name: 'Eaton', code: 'EA' },
  { name: 'Stemco', code: 'ST' },
  { name: 'Timken', code: 'TK' },
  { name: 'SKF', code: 'SK' },
  { name: 'Velvac', code: 'VV' },
  { name: 'Sealco', code: 'SC' },
];

const CATEGORIES: ReadonlyArray<{ tag: string; nouns: readonly string[] }> = [
  { tag: 'brakes', nouns: ['Air Brake Chamber', 'Brake Shoe Kit', 'Slack Adjuster', 'Brake Drum', 'Air Dryer Cartridge'] },
  { tag: 'filters', nouns: ['Oil Filter', 'Fuel Filter', 'Air Filter', 'Coolant Filter', 'Hydraulic Filter'] },
  { tag: 'lighting', nouns: ['LED Stop Lamp', 'Marker Lamp', 'Headlight Assembly', 'License Lamp', 'Work Light'] },
  { tag: 'electrical', nouns: ['Alternator', 'Starter Motor', 'Battery Cable', 'Trailer Cord', 'Relay'] },
  { tag: 'suspension', nouns: ['Air Spring', 'Shock Absorber', 'Leaf Spring', 'Torque Rod', 'Equalizer'] },
  { tag: 'drivetrain', nouns: ['Wheel Seal', 'Wheel Bearing', 'U-Joint', 'Clutch Kit', 'Drive Shaft'] },
  { tag: 'cooling', nouns: ['Radiator Hose', 'Water Pump', 'Fan Clutch', 'Thermostat', 'Radiator Cap'] },
  { tag: 'engine', nouns: ['Serpentine Belt', 'Belt Tensioner', 'Gasket Set', 'Turbo Hose', 'Injector'] },
];

const QUALIFIERS = ['Heavy Duty', 'Premium', 'OEM Replacement', 'Severe Service', 'Standard', 'Long Life'];

export const VEHICLE_MAKES: ReadonlyArray<{ make: string; models: readonly string[] }> = [
  { make: 'Freightliner', models: ['Cascadia', 'M2 106', 'Columbia', 'Coronado'] },
  { make: 'Kenworth', models: ['T680', 'W900', 'T880', 'T370'] },
  { make: 'Peterbilt', models: ['579', '389', '567', '337'] },
  { make: 'Volvo', models: ['VNL 860', 'VNR 640', 'VHD'] },
  { make: 'Mack', models: ['Anthem', 'Granite', 'Pinnacle'] },
  { make: 'International', models: ['LT', 'HX', 'MV', 'ProStar'] },
  { make: 'Western Star', models: ['4900', '5700XE', '49X'] },
];

/** Part numbers carry a bijective scramble of the index, so a lookup needs no table. */
const PN_SPACE = 10_000_000;
const PN_MUL = 7_919; // prime, coprime with 10^7, so multiplication mod 10^7 is invertible
const PN_ADD = 1_234_567;
const PN_INV = modInverse(PN_MUL, PN_SPACE);
export const MAX_CATALOG_SIZE = PN_SPACE - 1;

function modInverse(a: number, m: number): number {
  let [oldR, r] = [a, m];
  let [oldS, s] = [1, 0];
  while (r !== 0) {
    const q = Math.floor(oldR / r);
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}

function scramble(index: number): number {
  return Number((BigInt(index) * BigInt(PN_MUL) + BigInt(PN_ADD)) % BigInt(PN_SPACE));
}

function unscramble(value: number): number {
  const shifted = (((value - PN_ADD) % PN_SPACE) + PN_SPACE) % PN_SPACE;
  return Number((BigInt(shifted) * BigInt(PN_INV)) % BigInt(PN_SPACE));
}

export interface CatalogOptions {
  /** Number of parts, 1..9,999,999. */
  size: number;
  /** Seed for every generated value. */
  seed: number;
}

export interface Catalog {
  readonly size: number;
  readonly seed: number;
  /** The part at a 1-based index, or undefined outside the catalog. */
  get(index: number): CatalogPart | undefined;
  /** The index of a part number, or undefined when no such part exists. */
  indexOfPartNumber(partNumber: string): number | undefined;
  /** The index owning a variant id, or undefined. */
  indexOfVariant(variantId: number): number | undefined;
  /**
   * Replaces what a part fits (a sandbox admin route: the supplier changed
   * its fitment data); every later read of the part shows it.
   */
  setFitments(index: number, fitments: CatalogFitment[]): void;
  /** Drops every setFitments (a data reset). */
  clearOverrides(): void;
}

const VARIANTS_PER_PART = 10; // variant ids are index*10 + k, k in 1..2

export function createCatalog(options: CatalogOptions): Catalog {
  const { size, seed } = options;
  if (!Number.isInteger(size) || size < 1 || size > MAX_CATALOG_SIZE) {
    throw new RangeError(`catalog size must be an integer in 1..${MAX_CATALOG_SIZE}, got ${size}`);
  }
  // A small cache keeps hot records (a page being synced, a benchmark's parts)
  // from being rebuilt on every request, without holding the whole catalog.
  const cache = new Map<number, CatalogPart>();
  const CACHE_MAX = 20_000;
  const fitmentOverrides = new Map<number, CatalogFitment[]>();

  function build(index: number): CatalogPart {
    const r = rng(seed, index, 1);
    const mfr = pick(MANUFACTURERS, r());
    const category = pick(CATEGORIES, r());
    const noun = pick(category.nouns, r());
    const qualifier = pick(QUALIFIERS, r());
    const description = `${qualifier} ${noun}`;
    const partNumber = `${mfr.code}-${String(scramble(index)).padStart(7, '0')}`;
    const basePrice = Math.round((5 + r() * r() * 895) * 100);
    const variantCount = r() < 0.15 ? 2 : 1;
    const variants: CatalogVariant[] = [];
    for (let k = 1; k <= variantCount; k++) {
      const zeroStock = r() < 0.08;
      const shipDays = 1 + Math.floor(r() * 14);
      variants.push({
        variantId: index * VARIANTS_PER_PART + k,
        priceCents: k === 1 ? basePrice : Math.round(basePrice * (1.6 + r())),
        quantity: zeroStock ? 0 : 1 + Math.floor(r() * 500),
        packQuantity: k === 1 ? 1 : 4,
        minimum: r() < 0.1 ? 2 : 1,
        corePriceCents: r() < 0.1 ? Math.round(basePrice * 0.2) : 0,
        estimatedShipDate: new Date(Date.UTC(2026, 0, 1 + shipDays)).toISOString().slice(0, 10),
      });
    }
    const fitments: CatalogFitment[] = [];
    const fitmentCount = Math.floor(r() * 4);
    for (let f = 0; f < fitmentCount; f++) {
      const vehicle = pick(VEHICLE_MAKES, r());
      fitments.push({ year: 2005 + Math.floor(r() * 20), make: vehicle.make, model: pick(vehicle.models, r()) });
    }
    return {
      index,
      manufacturer: mfr.name,
      manufacturerCode: mfr.code,
      partNumber,
      description,
      category: category.tag,
      sellable: r() >= 0.03,
      weightLb: Math.round((0.2 + r() * 60) * 10) / 10,
      variants,
      fitments,
    };
  }

  function get(index: number): CatalogPart | undefined {
    if (!Number.isInteger(index) || index < 1 || index > size) return undefined;
    const overridden = fitmentOverrides.get(index);
    if (overridden) {
      const generated = generatedPart(index);
      return { ...generated, fitments: overridden.map((f) => ({ ...f })) };
    }
    return generatedPart(index);
  }

  function generatedPart(index: number): CatalogPart {
    let part = cache.get(index);
    if (!part) {
      part = build(index);
      if (cache.size >= CACHE_MAX) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      cache.set(index, part);
    }
    return part;
  }

  function indexOfPartNumber(partNumber: string): number | undefined {
    const match = /^([A-Z]{2})-(\d{7})$/.exec(partNumber.trim().toUpperCase());
    if (!match?.[2]) return undefined;
    const index = unscramble(Number(match[2]));
    const part = get(index);
    return part && part.partNumber === partNumber.trim().toUpperCase() ? index : undefined;
  }

  function indexOfVariant(variantId: number): number | undefined {
    if (!Number.isInteger(variantId)) return undefined;
    const index = Math.floor(variantId / VARIANTS_PER_PART);
    const part = get(index);
    return part?.variants.some((v) => v.variantId === variantId) ? index : undefined;
  }

  return {
    size,
    seed,
    get,
    indexOfPartNumber,
    indexOfVariant,
    setFitments: (index, fitments) => {
      fitmentOverrides.set(index, fitments.map((f) => ({ year: f.year, make: f.make, model: f.model })));
    },
    clearOverrides: () => fitmentOverrides.clear(),
  };
}
