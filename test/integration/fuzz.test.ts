/**
 * Fuzzing a running gateway (issue 6, acceptance 4): at least 10,000
 * generated and mutated GraphQL documents and malformed HTTP requests, 16 in
 * flight, within a minute. Documents are random walks over the real schema
 * (fields, arguments, aliases, fragments, directives, variables), then
 * mutated (truncated, spliced, braces injected, tokens swapped), plus token
 * soup, deep nesting, huge numbers and hostile unicode; requests are bad JSON,
 * wrong types for query/variables/operationName/extensions, wrong content
 * types, empty bodies, GETs with mangled parameters, and the SSE endpoint.
 *
 * Every answer must be below 500, every error must carry
 * `errors[].extensions.code`, and no body may hold a stack frame, a source
 * path, an upstream URL, a sandbox credential or the API key. The gateway
 * must still answer /health afterwards.
 *
 * The generator is seeded (mulberry32); the seed is printed, and
 * FUZZ_SEED=<n> replays a run exactly (FUZZ_CASES=<n> changes its size).
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type { GraphQLInputType, GraphQLObjectType } from 'graphql';
import { buildSchema } from '../../src/graphql/schema.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

const SEED = Number(process.env.FUZZ_SEED ?? randomInt(1, 2 ** 31));
const CASES = Number(process.env.FUZZ_CASES ?? 10_500);
const CONCURRENCY = 16;
const KEY = 'cdk_fuzz_key_0123456789abcdef';

// graphql's CommonJS build, the one the schema was built with (vitest would hand an ESM import the other).
const { getNamedType, isEnumType, isInputObjectType, isLeafType, isListType, isNonNullType, isObjectType } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

// ------------------------------------------------------------------ PRNG

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  constructor(readonly next: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

// ------------------------------------------------------------------ generators

const schema = buildSchema();
const NAMES = Object.keys(schema.getTypeMap()).concat(
  ...Object.values(schema.getTypeMap())
    .filter(isObjectType)
    .map((t) => Object.keys(t.getFields())),
);
const WEIRD_STRINGS = [
  '',
  ' ',
  '\\u0000',
  '\\uD800',
  '\\uDFFF\\uD800',
  '😀🚗🔧',
  'Ω≈ç√∫',
  '\u202e\u202d',
  'ﷺ',
  'a'.repeat(3000),
  '../../etc/passwd',
  '%2F%2E%2E',
  '?x=1&y=2',
  '"; DROP TABLE parts; --',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '${jndi:ldap://x}',
  '\\n\\r\\t',
  '\\"',
  'null',
  'undefined',
];
const HUGE_NUMBERS = ['0', '-1', '2147483648', '-2147483649', '9007199254740993', '1e308', '1e400', '-1e400', '99999999999999999999999999999', '0.1', '1.7976931348623157e309', '00', '-0'];
const PUNCTUATORS = ['{', '}', '(', ')', '[', ']', ':', '!', '$', '@', '...', '=', '|', '&', ',', '#', '"', '"""', '\\', '\u0000', '\ufeff'];
const KEYWORDS = ['query', 'mutation', 'subscription', 'fragment', 'on', 'true', 'false', 'null', 'schema', 'type', 'extend', 'directive', '__schema', '__type', '__typename', 'include', 'skip', 'if'];

function randomString(rng: Rng): string {
  return rng.pick(WEIRD_STRINGS);
}

/** A literal for an input type (sometimes of the wrong type). */
function literal(rng: Rng, type: GraphQLInputType, depth = 0): string {
  if (rng.chance(0.08)) return rng.pick(['null', '123', '"x"', 'true', '[]', '{}', 'RED', rng.pick(HUGE_NUMBERS)]);
  if (isNonNullType(type)) return literal(rng, type.ofType, depth);
  if (isListType(type)) {
    const n = rng.chance(0.1) ? rng.int(200, 400) : rng.int(0, 4);
    return `[${Array.from({ length: n }, () => literal(rng, type.ofType, depth + 1)).join(', ')}]`;
  }
  if (isEnumType(type)) return rng.pick(type.getValues()).name;
  if (isInputObjectType(type)) {
    if (depth > 3) return '{}';
    const fields = Object.values(type.getFields()).filter(() => rng.chance(0.6));
    return `{ ${fields.map((f) => `${f.name}: ${literal(rng, f.type, depth + 1)}`).join(', ')} }`;
  }
  switch (getNamedType(type).name) {
    case 'Int':
      return rng.chance(0.3) ? rng.pick(HUGE_NUMBERS) : String(rng.int(-5, 300));
    case 'Float':
      return rng.pick(HUGE_NUMBERS);
    case 'Boolean':
      return rng.pick(['true', 'false']);
    case 'ID':
      return rng.chance(0.5) ? `"${rng.int(1, 600)}"` : JSON.stringify(randomString(rng));
    default:
      return rng.chance(0.5) ? JSON.stringify(randomString(rng)) : `"${rng.int(0, 9999)}"`;
  }
}

/** A JSON value for a variable (often of the wrong type). */
function jsonValue(rng: Rng, depth = 0): unknown {
  const r = rng.int(0, 9);
  if (depth > 4) return null;
  switch (r) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5) ? Number(rng.pick(HUGE_NUMBERS)) : rng.int(-10, 1000);
    case 2:
      return randomString(rng).replace(/\\u[0-9A-F]{4}/gi, '\u2603');
    case 3:
      return rng.chance(0.5);
    case 4:
      return Array.from({ length: rng.int(0, 5) }, () => jsonValue(rng, depth + 1));
    case 5:
      return Object.fromEntries(Array.from({ length: rng.int(0, 4) }, () => [rng.pick(NAMES), jsonValue(rng, depth + 1)]));
    case 6:
      return { kind: rng.pick(['CATALOG', 'PRICE', 'NOPE']), scope: { limit: rng.int(-5, 1e7) } };
    case 7:
      return Array.from({ length: 300 }, (_, i) => String(i));
    default:
      return String(rng.int(1, 600));
  }
}

interface Built {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

/** A random walk over the schema: a (mostly) valid operation. */
function operation(rng: Rng): Built {
  const kind = rng.pick(['query', 'query', 'query', 'mutation', 'subscription'] as const);
  const root = kind === 'query' ? schema.getQueryType() : kind === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  const fragments: string[] = [];
  const variables: Record<string, unknown> = {};
  const variableDefs: string[] = [];

  function selection(type: GraphQLObjectType, depth: number): string {
    const fields = Object.values(type.getFields());
    const count = rng.int(1, Math.min(4, fields.length));
    const parts: string[] = [];
    for (let i = 0; i < count; i++) {
      const field = rng.pick(fields);
      const alias = rng.chance(0.15) ? `${rng.pick(['a', 'b', 'x'])}${rng.int(0, 99)}: ` : '';
      let args = '';
      if (field.args.length && rng.chance(0.8)) {
        const given = field.args.filter((a) => isNonNullType(a.type) || rng.chance(0.5));
        args = `(${given
          .map((a) => {
            if (rng.chance(0.25)) {
              const v = `v${variableDefs.length}`;
              variableDefs.push(`$${v}: ${a.type.toString()}`);
              variables[v] = rng.chance(0.7) ? jsonValue(rng) : undefined;
              return `${a.name}: $${v}`;
            }
            return `${a.name}: ${literal(rng, a.type)}`;
          })
          .join(', ')})`;
      }
      const directive = rng.chance(0.05) ? ` @${rng.pick(['include', 'skip'])}(if: ${rng.pick(['true', 'false'])})` : '';
      const named = getNamedType(field.type);
      if (isLeafType(named)) {
        parts.push(`${alias}${field.name}${args}${directive}`);
      } else if (isObjectType(named) && depth < 6) {
        if (rng.chance(0.1)) {
          const name = `F${fragments.length}`;
          fragments.push(`fragment ${name} on ${named.name} { ${selection(named, depth + 1)} }`);
          parts.push(`${alias}${field.name}${args}${directive} { ...${name} }`);
        } else {
          parts.push(`${alias}${field.name}${args}${directive} { ${selection(named, depth + 1)} }`);
        }
      } else {
        parts.push(`${alias}${field.name}${args}${directive} { __typename }`);
      }
    }
    if (rng.chance(0.1)) parts.push('__typename');
    return parts.join(' ');
  }

  const body = root ? selection(root, 0) : '__typename';
  const name = rng.chance(0.5) ? `Op${rng.int(0, 999)}` : '';
  const defs = variableDefs.length ? `(${variableDefs.join(', ')})` : '';
  const query = `${kind} ${name}${defs} { ${body} }\n${fragments.join('\n')}`;
  const vars = Object.fromEntries(Object.entries(variables).filter(([, v]) => v !== undefined));
  return { query, variables: rng.chance(0.9) ? vars : undefined, operationName: name && rng.chance(0.5) ? (rng.chance(0.9) ? name : 'Nope') : undefined };
}

/** Damage a document: truncate, splice, inject, duplicate, swap. */
function mutate(rng: Rng, text: string): string {
  let out = text;
  const edits = rng.int(1, 4);
  for (let i = 0; i < edits; i++) {
    const at = rng.int(0, out.length);
    switch (rng.int(0, 7)) {
      case 0:
        out = out.slice(0, at);
        break;
      case 1:
        out = out.slice(0, at) + rng.pick(PUNCTUATORS) + out.slice(at);
        break;
      case 2:
        out = out.slice(0, at) + out.slice(at + rng.int(1, 20));
        break;
      case 3:
        out = out.slice(0, at) + '{'.repeat(rng.int(1, 50)) + out.slice(at);
        break;
      case 4:
        out = out.slice(0, at) + out.slice(rng.int(0, out.length)).slice(0, 40) + out.slice(at);
        break;
      case 5:
        out = out.slice(0, at) + ` ${rng.pick(NAMES)} ` + out.slice(at);
        break;
      case 6:
        out = out.slice(0, at) + rng.pick(HUGE_NUMBERS) + out.slice(at);
        break;
      default:
        out = out.slice(0, at) + randomString(rng) + out.slice(at);
    }
  }
  return out;
}

/** Tokens in random order. */
function soup(rng: Rng): string {
  const n = rng.int(1, 200);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.int(0, 5);
    parts.push(
      r === 0 ? rng.pick(PUNCTUATORS) : r === 1 ? rng.pick(KEYWORDS) : r === 2 ? rng.pick(NAMES) : r === 3 ? rng.pick(HUGE_NUMBERS) : r === 4 ? JSON.stringify(randomString(rng)) : `"""${randomString(rng)}"""`,
    );
  }
  return parts.join(rng.chance(0.5) ? ' ' : '');
}

function deepNesting(rng: Rng): string {
  const n = rng.pick([16, 50, 200, 1000, 2400, 4000]);
  switch (rng.int(0, 4)) {
    case 0:
      return `${'{ a '.repeat(n)}${'}'.repeat(n)}`;
    case 1:
      return `{ part(id: "1") ${'{ storeProduct { supplierPart '.repeat(Math.min(n, 400))}{ id }${' } }'.repeat(Math.min(n, 400))} }`;
    case 2:
      return `{ parts(ids: ${'['.repeat(n)}"1"${']'.repeat(n)}) { id } }`;
    case 3:
      return `query { ...F0 } ${Array.from({ length: Math.min(n, 300) }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} __typename }`).join(' ')} fragment F${Math.min(n, 300)} on Query { __typename }`;
    default:
      return `{ __type(name: "Part") { ${'ofType { '.repeat(Math.min(n, 1000))}name${' }'.repeat(Math.min(n, 1000))} } }`;
  }
}

interface Case {
  label: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  search?: string;
}

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', 'x-api-key': KEY };

function documentCase(rng: Rng): Case {
  let built: Built;
  const r = rng.int(0, 9);
  if (r < 5) {
    built = operation(rng);
    if (rng.chance(0.5)) built = { ...built, query: mutate(rng, built.query) };
  } else if (r < 7) built = { query: soup(rng) };
  else if (r < 9) built = { query: deepNesting(rng) };
  else built = { query: `{ ${Array.from({ length: rng.int(20, 120) }, (_, i) => `a${i}: __typename`).join(' ')} }`, variables: { x: jsonValue(rng) } };
  return { label: 'document', method: 'POST', path: '/graphql', headers: JSON_HEADERS, body: JSON.stringify(built) };
}

function malformedCase(rng: Rng): Case {
  const valid = JSON.stringify(operation(rng));
  const bodies: Array<() => string> = [
    () => valid.slice(0, rng.int(0, valid.length - 1)),
    () => '',
    () => ' ',
    () => 'null',
    () => String(rng.int(-5, 5)),
    () => '"a string"',
    () => '[]',
    () => '{}',
    () => '[{"query": "{ __typename }"}, 5, null]',
    () => JSON.stringify({ query: rng.pick([123, null, true, {}, [], ['{ __typename }']]) }),
    () => JSON.stringify({ query: '{ __typename }', variables: rng.pick(['x', 5, [1, 2], true]) }),
    () => JSON.stringify({ query: '{ __typename }', operationName: rng.pick([5, {}, [], true]) }),
    () => JSON.stringify({ query: '{ __typename }', extensions: rng.pick(['x', 5, [], { persistedQuery: 'x' }, { persistedQuery: { version: 2 } }, { persistedQuery: { version: 1, sha256Hash: 5 } }, { persistedQuery: { version: 1, sha256Hash: 'ab' } }]) }),
    () => JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }),
    () => '{"query": "{ __typename }", "query": "{ part }"}',
    () => `{"query": "${'\\'.repeat(rng.int(1, 5))}"}`,
    () => '{"query": "{ __typename }",}',
    () => "{'query': '{ __typename }'}",
    () => `{"query": "{ __typename }", "variables": ${'['.repeat(rng.pick([10, 1000, 20000]))}`,
    () => `${'['.repeat(5000)}${']'.repeat(5000)}`,
    () => '\ufeff{"query": "{ __typename }"}',
    () => '{"query": "\\uD800"}',
    () => Buffer.from([0xff, 0xfe, 0x00, 0x7b]).toString('latin1'),
  ];
  const contentType = rng.pick([
    'application/json',
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'application/graphql',
    'application/graphql-response+json',
    'text/plain',
    'application/xml',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/octet-stream',
    '',
    'application/json, text/html',
    ';;;',
  ]);
  const headers: Record<string, string> = { 'x-api-key': KEY, accept: rng.pick(['application/json', 'application/graphql-response+json', '*/*', 'text/html', 'text/event-stream', '']) };
  if (contentType) headers['content-type'] = contentType;
  if (rng.chance(0.3)) headers['apollo-require-preflight'] = 'true';
  if (rng.chance(0.1)) headers.origin = 'https://evil.example';
  return { label: 'malformed body', method: 'POST', path: '/graphql', headers, body: rng.pick(bodies)() };
}

function getCase(rng: Rng): Case {
  const params = new URLSearchParams();
  const built = operation(rng);
  if (rng.chance(0.9)) params.set('query', rng.chance(0.5) ? mutate(rng, built.query).slice(0, 3000) : built.query.slice(0, 3000));
  if (rng.chance(0.4)) params.set('variables', rng.pick(['{', 'null', '[]', '5', JSON.stringify(jsonValue(rng)), '%%%']));
  if (rng.chance(0.2)) params.set('operationName', rng.pick(['', 'X', '{}']));
  if (rng.chance(0.2)) params.set('extensions', rng.pick(['{', '{"persistedQuery":{"version":1,"sha256Hash":"' + 'a'.repeat(64) + '"}}', '[]']));
  const headers: Record<string, string> = { 'x-api-key': KEY, accept: rng.pick(['application/json', 'application/graphql-response+json', '*/*']) };
  if (rng.chance(0.7)) headers['apollo-require-preflight'] = 'true';
  return { label: 'GET', method: 'GET', path: '/graphql', headers, search: params.toString() };
}

function sseCase(rng: Rng): Case {
  const built = rng.chance(0.5) ? { ...operation(rng), query: mutate(rng, operation(rng).query) } : { query: soup(rng) };
  const body = rng.chance(0.8) ? JSON.stringify(built) : rng.pick(['', '{', 'null', '[]', JSON.stringify({ query: 5 })]);
  // Distinct-connection mode: each operation's results come back as an event stream, read until it completes.
  return { label: 'SSE', method: 'POST', path: '/graphql/stream', headers: { 'content-type': rng.pick(['application/json', 'application/json', 'text/plain']), accept: 'text/event-stream', 'x-api-key': KEY }, body };
}

function makeCase(rng: Rng): Case {
  const r = rng.int(0, 99);
  if (r < 60) return documentCase(rng);
  if (r < 80) return malformedCase(rng);
  if (r < 93) return getCase(rng);
  return sseCase(rng);
}

// ------------------------------------------------------------------ the run

interface Finding {
  label: string;
  problem: string;
  status: number;
  request: string;
  body: string;
}

describe(`fuzzing a running gateway (seed ${SEED}, FUZZ_SEED=${SEED} replays it)`, () => {
  let gw: TestGateway;
  let forbidden: string[];
  beforeAll(async () => {
    // Generous sandbox quotas: the run is about the gateway, not about waiting for pacing.
    gw = await startGateway(
      { CROSSDOCK_API_KEYS: `fuzz:viewer:${KEY}`, INTERACTIVE_DEADLINE_MS: '3000', RETRY_DELAY_SCALE: '0.01' },
      { parts: 200, finditparts: { ratePerSecond: 100_000, burst: 100_000, perMinute: 10_000_000 }, bigcommerce: { quota: 1_000_000, windowMs: 30_000 } },
    );
    const so = gw.sandbox!.options;
    forbidden = [KEY, so.finditparts.clientSecret, so.bigcommerce.accessToken, so.bigcommerce.appClientSecret, '127.0.0.1', 'sandbox-', '.ts:'].filter(Boolean);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it(`sends ${CASES} generated and mutated documents and malformed requests: no 5xx, every error coded, nothing leaked`, async () => {
    console.log(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
    const rng = new Rng(mulberry32(SEED));
    const cases = Array.from({ length: CASES }, () => makeCase(rng));
    const findings: Finding[] = [];
    const counts: Record<string, number> = {};
    const started = Date.now();
    const timing: Record<string, number> = {};
    const slowest = { ms: 0, request: '' };
    let next = 0;

    const check = (c: Case, status: number, text: string) => {
      counts[`${c.label} ${status}`] = (counts[`${c.label} ${status}`] ?? 0) + 1;
      const report = (problem: string) => findings.push({ label: c.label, problem, status, request: (c.body ?? c.search ?? '').slice(0, 300), body: text.slice(0, 500) });
      if (status >= 500) report('5xx');
      for (const secret of forbidden) if (text.includes(secret)) report(`body contains ${secret === KEY ? 'the API key' : JSON.stringify(secret)}`);
      if (/^\s*at .+:\d+:\d+\)?$/m.test(text) || /\n\s+at [\w.<>]+ \(/.test(text)) report('stack trace');
      let parsed: { errors?: unknown } | undefined;
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        if (status >= 400) report('error answer is not JSON');
        return;
      }
      if (status < 400 && (parsed === null || typeof parsed !== 'object' || !('errors' in parsed))) return;
      const errors = parsed?.errors as Array<{ extensions?: { code?: unknown } }> | undefined;
      if (!Array.isArray(errors) || errors.length === 0) report('error answer without errors[]');
      else if (!errors.every((e) => typeof e?.extensions?.code === 'string')) report('an error without extensions.code');
    };

    /** An event stream's text until it completes, or for at most 500 ms (a subscription goes on), then the connection is dropped. */
    async function readEvents(res: Response, controller: AbortController): Promise<string> {
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      const deadline = Date.now() + 500;
      try {
        while (!/event: complete/.test(text) && Date.now() < deadline) {
          const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), Math.max(1, deadline - Date.now())))]);
          if (!chunk || chunk.done) break;
          text += decoder.decode(chunk.value, { stream: true });
        }
      } finally {
        controller.abort();
      }
      return text;
    }

    /** Each `next` event's payload is checked as an answer of its own. */
    const checkStream = (c: Case, status: number, text: string) => {
      const payloads = [...text.matchAll(/^data: (.*)$/gm)].map((m) => m[1]!).filter((d) => d.trim() !== '');
      counts[`${c.label} stream`] = (counts[`${c.label} stream`] ?? 0) + 1;
      if (payloads.length === 0) check(c, status, '{}');
      for (const payload of payloads) check(c, status, payload);
    };

    async function worker() {
      for (;;) {
        const i = next++;
        if (i >= cases.length) return;
        const c = cases[i]!;
        const url = `${gw.url}${c.path}${c.search ? `?${c.search}` : ''}`;
        const t0 = Date.now();
        try {
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(), 20_000);
          const res = await fetch(url, { method: c.method, headers: c.headers, body: c.method === 'POST' ? c.body : undefined, signal: controller.signal });
          if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
            checkStream(c, res.status, await readEvents(res, controller));
          } else {
            check(c, res.status, await res.text());
          }
          clearTimeout(timer);
          const ms = Date.now() - t0;
          timing[c.label] = (timing[c.label] ?? 0) + ms;
          if (ms > slowest.ms) Object.assign(slowest, { ms, request: (c.body ?? c.search ?? '').slice(0, 200) });
        } catch (err) {
          findings.push({ label: c.label, problem: `request failed: ${err instanceof Error ? err.message : String(err)}`, status: 0, request: (c.body ?? c.search ?? '').slice(0, 300), body: '' });
        }
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (Date.now() - started) / 1000;
    console.log(`fuzz: ${cases.length} requests in ${seconds.toFixed(1)} s (seed ${SEED}); answers by kind and status: ${JSON.stringify(counts)}; ms by kind: ${JSON.stringify(timing)}; slowest ${slowest.ms} ms: ${slowest.request}`);

    const byProblem: Record<string, number> = {};
    for (const f of findings) byProblem[`${f.label}: ${f.problem}`] = (byProblem[`${f.label}: ${f.problem}`] ?? 0) + 1;
    expect(findings.slice(0, 10), `seed ${SEED}: ${findings.length} findings ${JSON.stringify(byProblem)}`).toEqual([]);
    // Still alive and well.
    const health = await fetch(`${gw.url}/health`);
    expect(health.status).toBe(200);
    expect((await gw.gql('{ part(id: "2") { id } }')).status).toBe(200);
  }, 300_000);
});
