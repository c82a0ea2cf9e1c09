/**
 * The TikTok twin's videos: deterministic, generated from the sandbox world
 * (seed and catalog). Video `i` (1-based) has id 7000000000000000000 + i,
 * author `sandbox`, and a caption that — for most templates — mentions a
 * real sandbox part (its manufacturer, description and part number) with
 * its price written one of the ways people write prices, emoji, hashtags,
 * @mentions and calls to action, in English, Spanish, German, French or
 * Portuguese; some captions name a product without its number, some none.
 *
 * The twin's own code: nothing here is shared with the connector
 * (DESIGN.md, principle 5).
 */
import type { Catalog, CatalogPart } from '../common/catalog.js';
import { hash32 } from '../common/random.js';

export const FIRST_VIDEO_ID = 7_000_000_000_000_000_001n;

export interface TwinVideo {
  id: string;
  author: string;
  caption: string;
  /** The part the caption is about, when it is about one. */
  part: { partNumber: string; manufacturer: string; description: string; price: string } | null;
  /** How the CDN answers for its thumbnail (tests ask for hostile ones through the admin route). */
  thumbnail: 'image' | 'oversized' | 'notImage' | 'mislabelled' | 'missing';
  /** Overrides the oEmbed answer's thumbnail_url outright (e.g. a URL off TikTok's CDN). */
  thumbnailUrl?: string;
}

const dollars = (cents: number) => (cents / 100).toFixed(2);
const commas = (cents: number) => dollars(cents).replace('.', ',');
const whole = (cents: number) => String(Math.max(1, Math.round(cents / 100)));

type Template = (p: CatalogPart, cents: number) => string;

/** Caption templates; index `i % length`. The part's price is written as each template's locale writes it. */
const TEMPLATES: readonly Template[] = [
  (p, c) => `New ${p.manufacturer} ${p.description} ${p.partNumber} just dropped 🔥 only $${dollars(c)} #trucking #${p.category} #fleetlife link in bio`,
  (p, c) => `¡Oferta! ${p.description} de ${p.manufacturer} (${p.partNumber}) a solo ${commas(c)} € 😍 #camiones #${p.category} @crossdock.parts compra ya`,
  (p, c) => `Restocked the ${p.manufacturer} ${p.description} — part ${p.partNumber}. USD ${whole(c)} each, DM to order 📦 #fleet #${p.category}`,
  (p, c) => `This ${p.description} from ${p.manufacturer} saved my rig 💪 only ${whole(c)} bucks! Shop now 👉 ${p.partNumber} #diesel #mechanic`,
  (p, c) => `Neu: ${p.manufacturer} ${p.description} ${p.partNumber} für ${commas(c)} EUR 💯 Link in Bio #lkw #${p.category}`,
  (p) => `Unboxing the ${p.manufacturer} ${p.description} 📦✨ no price today, just vibes #unboxing #trucktok`,
  (p, c) => `Le ${p.description} ${p.manufacturer} ${p.partNumber} à ${commas(c)} € seulement ! Lien dans la bio 🔥 #camion`,
  (p, c) => `R$ ${commas(c)} no ${p.description} ${p.manufacturer} ${p.partNumber} 🇧🇷 link na bio #caminhao @oficina_br`,
  () => `Just a sunset drive 🌅 nothing for sale #trucklife #vibes`,
];

export interface VideoLibrary {
  readonly count: number;
  get(id: string): TwinVideo | undefined;
  list(limit: number): TwinVideo[];
  /** Adds or replaces a video (the admin route), e.g. one with a hostile thumbnail. */
  put(video: TwinVideo): void;
  reset(): void;
}

export function createVideoLibrary(catalog: Catalog, seed: number, count: number): VideoLibrary {
  const custom = new Map<string, TwinVideo>();
  // Parts near the start of the catalog: the store's seeded share holds many of them.
  const pool = Math.min(catalog.size, 1_000);

  function generated(i: number): TwinVideo | undefined {
    if (i < 1 || i > count) return undefined;
    const template = TEMPLATES[(i - 1) % TEMPLATES.length] as Template;
    const part = catalog.get(1 + (hash32(seed, i, 77) % pool)) as CatalogPart;
    const cents = part.variants[0]?.priceCents ?? 1999;
    const mentionsPart = (i - 1) % TEMPLATES.length !== TEMPLATES.length - 1;
    return {
      id: (FIRST_VIDEO_ID + BigInt(i - 1)).toString(),
      author: 'sandbox',
      caption: template(part, cents),
      part: mentionsPart ? { partNumber: part.partNumber, manufacturer: part.manufacturer, description: part.description, price: dollars(cents) } : null,
      thumbnail: 'image',
    };
  }

  const indexOf = (id: string): number => {
    if (!/^\d{19}$/.test(id)) return 0;
    const n = BigInt(id) - FIRST_VIDEO_ID + 1n;
    return n >= 1n && n <= BigInt(count) ? Number(n) : 0;
  };

  return {
    count,
    get: (id) => custom.get(id) ?? generated(indexOf(id)),
    list(limit) {
      const out: TwinVideo[] = [];
      for (let i = 1; i <= Math.min(count, limit); i++) out.push(this.get((FIRST_VIDEO_ID + BigInt(i - 1)).toString()) as TwinVideo);
      for (const v of custom.values()) if (indexOf(v.id) === 0 && out.length < limit) out.push(v);
      return out;
    },
    put: (video) => void custom.set(video.id, video),
    reset: () => custom.clear(),
  };
}
