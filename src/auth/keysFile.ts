/**
 * The keys file (CROSSDOCK_API_KEYS_FILE): keys as records of their own,
 *
 *   [{ "client": "web", "role": "viewer", "key": "…", "allow": ["10.0.0.0/8"], "expiresAt": "2027-01-31T00:00:00Z" }]
 *
 * read at start (a file that does not parse stops the start, naming the entry
 * and the rule, never a key) and again when it changes or on SIGHUP (a file
 * that does not parse then keeps the keys in use; keysReloader.ts says why in
 * the log). Merged with CROSSDOCK_API_KEYS, which has no expiry or allow-list.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ApiKeyEntry, Role } from '../config.js';
import { parseCidr } from './networks.js';

const ROLES = ['viewer', 'operator', 'admin'] as const;

const entrySchema = z
  .object({
    client: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'client must be 1–64 letters, digits, . _ -'),
    role: z.enum(ROLES),
    key: z.string().min(16, 'key must be at least 16 characters').max(512, 'key must be at most 512 characters'),
    allow: z
      .array(z.string())
      .max(256)
      .optional()
      .superRefine((list, ctx) => {
        for (const [i, c] of (list ?? []).entries()) {
          const parsed = parseCidr(c);
          if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', path: [i], message: parsed });
        }
      }),
    expiresAt: z.iso.datetime({ offset: true, message: 'expiresAt must be an ISO 8601 date-time with a zone, e.g. 2027-01-31T00:00:00Z' }).optional(),
  })
  .strict();

/** The entries of a keys file's text, or the problems (each naming the entry and field, never a key). */
export function parseKeysFile(text: string): { entries: ApiKeyEntry[] } | { problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { problems: [`not JSON (${err instanceof SyntaxError ? err.message.replace(/"[^"]*"/g, '…') : 'unreadable'})`] };
  }
  const parsed = z.array(entrySchema).max(10_000).safeParse(raw);
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((i) => `${i.path.length ? `entry ${i.path.join('.')}` : 'the file'}: ${i.message}`) };
  }
  return {
    entries: parsed.data.map((e) => ({ name: e.client, role: e.role as Role, key: e.key, ...(e.allow?.length ? { allow: e.allow } : {}), ...(e.expiresAt ? { expiresAt: e.expiresAt } : {}) })),
  };
}

export function readKeysFile(path: string): { entries: ApiKeyEntry[] } | { problems: string[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { problems: [`cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`] };
  }
  return parseKeysFile(text);
}

/**
 * Rules over all keys together: a key belongs to one client, and a client has
 * one role whichever of its keys it presents (budgets, audit and the role are per client).
 */
export function keySetProblems(entries: readonly ApiKeyEntry[]): string[] {
  const problems: string[] = [];
  const keys = new Set<string>();
  const roles = new Map<string, Role>();
  for (const e of entries) {
    if (keys.has(e.key)) problems.push(`a key of client "${e.name}" is listed twice`);
    keys.add(e.key);
    const role = roles.get(e.name);
    if (role && role !== e.role) problems.push(`client "${e.name}" has keys with different roles (${role}, ${e.role}); a client has one role`);
    roles.set(e.name, e.role);
  }
  return problems;
}
