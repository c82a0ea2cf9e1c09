/**
 * What may never leave the gateway in a log line or an audit entry: API keys,
 * bearer tokens, JWTs, OAuth client secrets, codes and tokens, store access
 * tokens, emails, phone numbers and street addresses.
 *
 * Two nets, both applied by `scrubValue` to any value however deeply nested:
 * - by key: a property whose name says it holds a secret (`token`,
 *   `client_secret`, `authorization`…) or personal data (`email`, `phone`,
 *   `street1`…) is replaced whole, and an object that looks like a postal
 *   address loses everything but its state and country;
 * - by content: every string (messages, error stacks, upstream bodies, URLs)
 *   passes through `redactText`, which rewrites JWTs, bearer and basic
 *   credentials, key-shaped strings, secret query parameters, email
 *   addresses, phone numbers (also URL-encoded, and WhatsApp's digits-only
 *   numbers by their field names), street addresses, and every secret value the
 *   gateway registered with `registerSecret` (configured keys and tokens,
 *   installed store tokens).
 *
 * Both nets are deliberately wide: a masked order id in a log costs a
 * lookup, a leaked token costs a store.
 */

export const CENSOR = '[redacted]';

/** Exact secret values known at run time (configured keys, installed tokens). */
const knownSecrets = new Set<string>();
let knownSorted: string[] = [];
/** How many secrets were registered: scrubbed text kept from before a registration may hold the new one. */
let registrations = 0;

/**
 * Registers a secret value: from now on any string containing it is
 * scrubbed. Values shorter than 8 characters are ignored (they would mask
 * ordinary words); such secrets are refused by config anyway.
 */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < 8 || knownSecrets.has(value)) return;
  for (const form of encodings(value)) knownSecrets.add(form);
  knownSorted = [...knownSecrets].sort((a, b) => b.length - a.length);
  registrations++;
}

/** Changes whenever a secret is registered (requestLog.ts keeps scrubbed text, and scrubs it again then). */
export function secretsVersion(): number {
  return registrations;
}

/**
 * A secret as it may be written: as is, and URL-encoded as in a query string
 * or a form body (`#` as `%23`, a space as `%20` or `+`), where a vendor that
 * echoes what it was sent would show it.
 */
function encodings(value: string): string[] {
  const component = encodeURIComponent(value);
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  return [...new Set([value, component, form])];
}

/** How many secret values are registered (the set must stay bounded: configured secrets and installed tokens only). */
export function registeredSecretCount(): number {
  return knownSecrets.size;
}

/** Forgets a secret (an uninstalled store's token). */
export function forgetSecret(value: string | undefined | null): void {
  if (!value || !knownSecrets.has(value)) return;
  for (const form of encodings(value)) knownSecrets.delete(form);
  knownSorted = [...knownSecrets].sort((a, b) => b.length - a.length);
}

const SECRET_PARAM = '(?:code|token|access_token|refresh_token|id_token|client_secret|secret|signed_payload(?:_jwt)?|api[_-]?key|key|password|auth|sig|signature)';

/**
 * What a pattern's gate may look at: the text, and (computed at most once,
 * when a gate first asks) its lower case and whether it has a digit or
 * whitespace. A class, so a call makes one object and no closures.
 */
class Probe {
  private lowered: string | undefined;
  private digits: boolean | undefined;
  private spaces: boolean | undefined;
  constructor(readonly text: string) {}
  lower(): string {
    return (this.lowered ??= this.text.toLowerCase());
  }
  digit(): boolean {
    return (this.digits ??= /\d/.test(this.text));
  }
  space(): boolean {
    return (this.spaces ??= /\s/.test(this.text));
  }
}

/** The credential header names (header-like text) and key prefixes (key-shaped strings) the gates look for. */
const CREDENTIAL_HEADERS = ['x-api-key', 'x-auth-token', 'authorization', 'cookie'];
const KEY_PREFIXES = ['cdk', 'api', 'sk', 'pk', 'rk'];

/**
 * Content patterns, applied in order. Each names what it replaces, and has a
 * gate: a condition every match needs (a character, a word), tested with
 * `includes` before the pattern runs, so that a string is scanned only by the
 * patterns that could match it (most strings a log line carries — a method,
 * a route, a request id, a client name — match none, and now run none). A
 * gate can only skip a pattern that would not have matched: what is masked
 * is exactly what the patterns alone mask.
 */
export const TEXT_PATTERNS: ReadonlyArray<{ re: RegExp; replacement: string; gate: (p: Probe) => boolean }> = [
  // JWTs (FinditParts request tokens, BigCommerce signed payloads), also unsigned ones (`alg: none`).
  { re: /\beyJ[\w-]{2,}\.[\w-]{2,}\.[\w-]*/g, replacement: '[jwt]', gate: (p) => p.text.includes('eyJ') },
  // Header-like "name: value" text for the credential headers (scheme and credential both go).
  {
    re: /\b(x-api-key|x-auth-token|authorization|cookie)(["']?\s*[:=]\s*["']?)(?:(?:Bearer|Basic|Digest)\s+)?[^\s"',;}]+/gi,
    replacement: '$1$2[redacted]',
    gate: (p) => (p.text.includes(':') || p.text.includes('=')) && CREDENTIAL_HEADERS.some((h) => p.lower().includes(h)),
  },
  // Bearer credentials anywhere else.
  { re: /\b(Bearer)\s+[\w.~+/=-]{6,}/gi, replacement: '$1 [redacted]', gate: (p) => p.lower().includes('bearer') },
  // Basic credentials anywhere else (base64 of id:secret, e.g. echoed by a token endpoint that refused
  // them); a digit, + / or = in it tells it from a word after "Basic".
  { re: /\b(Basic)\s+(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{8,}={0,2}/g, replacement: '$1 [redacted]', gate: (p) => p.text.includes('Basic') },
  // JSON text with a secret-named member, e.g. an upstream body echoed into a message.
  {
    re: new RegExp(`("${SECRET_PARAM}"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi'),
    replacement: '$1"[redacted]"',
    gate: (p) => p.text.includes('"') && p.text.includes(':'),
  },
  // Secret query parameters in URLs (`?code=…&context=…`).
  {
    re: new RegExp(`([?&;]${SECRET_PARAM}=)[^&\\s#"']+`, 'gi'),
    replacement: '$1[redacted]',
    gate: (p) => p.text.includes('=') && (p.text.includes('?') || p.text.includes('&') || p.text.includes(';')),
  },
  // Key-shaped strings: cdk_… (Crossdock), api-… (FinditParts static keys), sk_/pk_ styles.
  {
    re: /\b(?:cdk|api|sk|pk|rk)_?[-_][\w-]{12,}/gi,
    replacement: '[key]',
    gate: (p) => (p.text.includes('_') || p.text.includes('-')) && KEY_PREFIXES.some((k) => p.lower().includes(k)),
  },
  // Email addresses.
  { re: /[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}/g, replacement: '[email]', gate: (p) => p.text.includes('@') },
  // Phone numbers: international (+ and 7 to 15 digits in groups), also URL-encoded (%2B, as a query
  // string or a form body carries an E.164 number) ...
  { re: /\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}\d/g, replacement: '[phone]', gate: (p) => p.text.includes('+') },
  { re: /%2B\d{7,15}(?!\d)/gi, replacement: '[phone]', gate: (p) => p.text.includes('%2') },
  // ... and North American ten-digit forms: 614-555-0199, (614) 555-0199, 614.555.0199.
  { re: /(?<![\w.])\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?![\w.])/g, replacement: '[phone]', gate: (p) => p.digit() },
  // Street addresses: a house number, one to four words, a street type.
  {
    re: /\b\d{1,6}[A-Za-z]?\s+(?:[A-Z0-9][\w'.-]*\s+){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl|Parkway|Pkwy|Highway|Hwy|Terrace|Ter|Circle|Cir|Square|Sq|Trail|Trl|Alley|Row|Plaza|Pike)\b\.?(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?(?:,?\s+(?:Apt|Suite|Ste|Unit|#)\.?\s*[\w-]+)?/g,
    replacement: '[address]',
    gate: (p) => p.digit() && p.space(),
  },
  // US ZIP+4 codes (a bare five-digit number cannot be told from any other number).
  { re: /\b\d{5}-\d{4}\b/g, replacement: '[zip]', gate: (p) => p.text.includes('-') && p.digit() },
  // P.O. boxes.
  { re: /\bP\.?\s?O\.?\s+Box\s+\d+/gi, replacement: '[address]', gate: (p) => p.lower().includes('box') },
];

/** Scrubs secrets and personal data out of free text. Never throws. */
export function redactText(text: string): string {
  let out = text;
  for (const secret of knownSorted) if (out.includes(secret)) out = out.split(secret).join('[secret]');
  let probe = new Probe(out);
  for (let i = 0; i < TEXT_PATTERNS.length; i++) {
    const pattern = TEXT_PATTERNS[i] as (typeof TEXT_PATTERNS)[number];
    if (!pattern.gate(probe)) continue;
    const next = out.replace(pattern.re, pattern.replacement);
    if (next !== out) {
      // The text changed: the gates look at the new one.
      out = next;
      probe = new Probe(out);
    }
  }
  return out;
}

const normalise = (key: string) => key.toLowerCase().replace(/[-_\s]/g, '');
/** Property names repeat (every request line has the same few): normalised once each, up to a bound. */
const normalised = new Map<string, string>();
function norm(key: string): string {
  let n = normalised.get(key);
  if (n === undefined) {
    n = normalise(key);
    if (normalised.size >= 4096) normalised.clear();
    normalised.set(key, n);
  }
  return n;
}

/** Property names whose value is a secret, whatever it looks like (compared without case, `-` or `_`). */
const SECRET_KEYS = new Set(
  [
    'key', 'apiKey', 'x-api-key', 'secretKey', 'privateKey', 'encryptionKey', 'tokenEncryptionKey',
    'token', 'accessToken', 'refreshToken', 'idToken', 'authToken', 'x-auth-token', 'bearer', 'jwt',
    'secret', 'clientSecret', 'appClientSecret', 'password', 'passwd', 'passphrase', 'authorization',
    'cookie', 'set-cookie', 'signedPayload', 'signedPayloadJwt', 'authorizationCode', 'oauthCode',
    'ciphertext', 'sask', 'credentials',
  ].map(norm),
);
/** Suffixes that mark a secret too (`bcToken`, `finditpartsClientSecret`, `adminPassword`). */
const SECRET_SUFFIXES = ['token', 'secret', 'password', 'apikey'];

/** Property names that hold personal data. */
const PII_KEYS = new Set(
  [
    'email', 'emailAddress', 'phone', 'phoneNumber', 'telephone', 'mobile', 'fax',
    'street', 'street1', 'street2', 'streetAddress', 'address1', 'address2', 'addressLine1', 'addressLine2',
    'line1', 'line2', 'zip', 'zipCode', 'postcode', 'postalCode', 'firstName', 'lastName', 'fullName',
    // WhatsApp's numbers come digits only (`wa_id`, `recipient_id`), which no content pattern tells from an id.
    'waId', 'recipientId', 'recipient', 'displayPhoneNumber', 'msisdn',
  ].map(norm),
);
/**
 * Names too common to mask whole (`from` and `to` are statuses in an order's history), masked when
 * the value is a phone number: WhatsApp's `messages[].from`, `contacts[].input`, a message's `to`.
 */
const PHONE_VALUE_KEYS = new Set(['from', 'to', 'input']);
const PHONE_VALUE = /^\+?[1-9]\d{7,14}$/;
/** In an object that looks like a postal address, only these survive. */
const ADDRESS_KEEP = new Set(['state', 'country', 'countrycode', 'countryiso2', 'stateorprovince']);
const ADDRESS_MARKERS = new Set(['street1', 'street', 'address1', 'addressline1', 'line1', 'streetaddress']);

/**
 * `code` is an error code almost everywhere (`FORBIDDEN`, `ECONNRESET`, 404)
 * but an OAuth authorization code in the install flow: keep the former.
 */
const ERROR_CODE = /^[A-Z][A-Z0-9_]*$/;

/** `k` is the property name normalised (norm). */
function isSecretKey(k: string, value: unknown): boolean {
  if (k === 'code') return typeof value === 'string' && !ERROR_CODE.test(value);
  if (SECRET_KEYS.has(k)) return value !== null && value !== undefined && value !== '';
  return SECRET_SUFFIXES.some((s) => k.endsWith(s)) && typeof value === 'string' && value !== '';
}

export interface ScrubOptions {
  /** Deeper than this becomes "[depth]". @default 8 */
  maxDepth?: number;
  /** Longer arrays are cut, with a marker. @default 200 */
  maxItems?: number;
}

/**
 * A scrubbed copy of any value: plain objects and arrays rebuilt, errors as
 * `{type, message, stack, code, …}` objects, strings through `redactText`,
 * secret- and PII-named properties replaced. Never throws, never mutates its
 * input, survives cycles.
 */
export function scrubValue(value: unknown, options: ScrubOptions = {}): unknown {
  const walk: Walk = { maxDepth: options.maxDepth ?? 8, maxItems: options.maxItems ?? 200, seen: new WeakSet<object>() };
  try {
    return walkValue(walk, value, 0, false);
  } catch {
    return '[unloggable]';
  }
}

/**
 * One scrubValue call's state. The walkers are module functions taking it,
 * not closures made per call: every line the logger writes goes through here.
 */
interface Walk {
  maxDepth: number;
  maxItems: number;
  seen: WeakSet<object>;
}

function walkValue(w: Walk, v: unknown, depth: number, inAddress: boolean): unknown {
  if (typeof v === 'string') return redactText(v);
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'symbol') return v.toString();
  if (typeof v === 'function') return undefined;
  if (typeof v !== 'object') return undefined;
  if (w.seen.has(v)) return '[circular]';
  if (depth >= w.maxDepth) return '[depth]';
  w.seen.add(v);
  try {
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
    if (v instanceof URL) return redactText(v.toString());
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return `[binary ${(v as ArrayBufferLike).byteLength} bytes]`;
    if (v instanceof Error) return walkError(w, v, depth);
    if (Array.isArray(v)) {
      const n = Math.min(v.length, w.maxItems);
      const items: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) items[i] = walkValue(w, v[i], depth + 1, inAddress);
      if (v.length > w.maxItems) items.push(`[${v.length - w.maxItems} more]`);
      return items;
    }
    if (v instanceof Map) return walkEntries(w, [...v.entries()].map(([k, val]) => [String(k), val]), depth, false);
    if (v instanceof Set) return walkValue(w, [...v], depth, inAddress);
    return walkEntries(w, Object.entries(v), depth, inAddress);
  } finally {
    w.seen.delete(v);
  }
}

function walkEntries(w: Walk, entries: Array<[string, unknown]>, depth: number, inAddress: boolean): Record<string, unknown> {
  const names = new Array<string>(entries.length);
  let address = inAddress;
  for (let i = 0; i < entries.length; i++) {
    const n = norm((entries[i] as [string, unknown])[0]);
    names[i] = n;
    if (ADDRESS_MARKERS.has(n)) address = true;
  }
  const out: Record<string, unknown> = {};
  for (let i = 0; i < entries.length; i++) {
    const [k, val] = entries[i] as [string, unknown];
    const n = names[i] as string;
    if (isSecretKey(n, val)) out[k] = CENSOR;
    else if (PII_KEYS.has(n) && val !== null && val !== undefined && val !== '') out[k] = CENSOR;
    else if (PHONE_VALUE_KEYS.has(n) && typeof val === 'string' && PHONE_VALUE.test(val.trim())) out[k] = CENSOR;
    else if (address && !ADDRESS_KEEP.has(n) && (typeof val === 'string' || typeof val === 'number')) out[k] = CENSOR;
    else if (n === 'address' && typeof val === 'string') out[k] = CENSOR;
    else out[k] = walkValue(w, val, depth + 1, n === 'address' || n.endsWith('address'));
  }
  return out;
}

function walkError(w: Walk, err: Error, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.name || 'Error', message: redactText(String(err.message ?? '')) };
  if (typeof err.stack === 'string') out.stack = redactText(err.stack);
  // Own properties: code, status, upstream, kind, extensions…
  for (const [k, val] of Object.entries(err)) {
    if (k === 'message' || k === 'stack') continue;
    const n = norm(k);
    out[k] = isSecretKey(n, val) || PII_KEYS.has(n) ? CENSOR : walkValue(w, val, depth + 1, false);
  }
  if (err.cause !== undefined) out.cause = walkValue(w, err.cause, depth + 1, false);
  return out;
}
