/**
 * Builds TRUSTED_DOCUMENTS_FILE from a client's operations:
 *
 *   npm run trusted-documents -- --out trusted-documents.json ops/*.graphql
 *
 * Each file is one document, as the client sends it (an operation and the
 * fragments it uses). Its exact text is registered, and so is graphql's
 * printed form of it (what Apollo Client and most clients send), each under
 * its SHA-256. Every document must parse and validate against the gateway's
 * schema, so a stale operation fails here rather than in production.
 */
import { parse, print, validate } from 'graphql';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { buildSchema } from '../schema.js';
import { sha256Hex } from './trustedDocuments.js';

/** `{ sha256: document }` for the given documents; throws naming the first that does not parse or validate. */
export function buildSafelist(documents: ReadonlyArray<{ name: string; text: string }>): Record<string, string> {
  const schema = buildSchema();
  const out: Record<string, string> = {};
  for (const { name, text } of documents) {
    let printed: string;
    try {
      const document = parse(text);
      const errors = validate(schema, document);
      if (errors.length) throw new Error(errors.map((e) => e.message).join('; '));
      printed = print(document);
    } catch (err) {
      throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    out[sha256Hex(text)] = text;
    out[sha256Hex(printed)] = printed;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

function main(argv: string[]): void {
  const outAt = argv.indexOf('--out');
  const out = outAt >= 0 ? argv[outAt + 1] : undefined;
  const files = argv.filter((_, i) => i !== outAt && i !== outAt + 1);
  if (!out || files.length === 0) {
    process.stderr.write('usage: npm run trusted-documents -- --out trusted-documents.json <operation.graphql>...\n');
    process.exit(2);
  }
  const safelist = buildSafelist(files.map((f) => ({ name: f, text: readFileSync(f, 'utf8') })));
  writeFileSync(out, `${JSON.stringify(safelist, null, 2)}\n`);
  process.stdout.write(`${Object.keys(safelist).length} entries from ${files.length} documents written to ${out}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
