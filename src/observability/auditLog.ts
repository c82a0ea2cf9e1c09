/**
 * The audit log: one entry per mutation field a client asked for — who
 * (client name and role, never the key), what (operation name, field, its
 * arguments and the operation's variables with secrets and personal data
 * masked), how it ended (OK, ERROR with the code, or REFUSED: it never ran,
 * refused by role, limits or request checks) and when.
 *
 * Entries come from two places: the mutation guard on the schema
 * (graphql/guardSchema.ts: every mutation that reaches execution, over HTTP,
 * SSE or WebSocket) and an Apollo plugin (graphql/auditPlugin.ts: mutations
 * over HTTP refused before execution). Recording never fails the request: a
 * store error is logged.
 */
import type { Logger } from './logger.js';
import { scrubValue } from './redact.js';
import type { AuditEntryRecord, AuditFilter, AuditOutcome, AuditStore } from './auditStore.js';

export type { AuditEntryRecord, AuditFilter, AuditOutcome, AuditStore } from './auditStore.js';

export interface AuditEvent {
  client: string;
  /** The presented key's id (never the key). */
  keyId?: string;
  role: string;
  operationName: string | null;
  field: string;
  /** The field's arguments as resolved; null when the mutation never reached execution. */
  arguments: unknown;
  /** The operation's variables as sent. */
  variables: unknown;
  outcome: AuditOutcome;
  errorCode: string | null;
  durationMs: number;
}

export interface AuditLog {
  /** Masks and stores one entry. Never throws. */
  record(event: AuditEvent): Promise<void>;
  list(filter: AuditFilter, page: { beforeId?: number; limit: number }): Promise<{ items: AuditEntryRecord[]; total: number }>;
  close(): Promise<void>;
}

export interface AuditLogOptions {
  store: AuditStore;
  logger: Logger;
  /** Entries older than this are deleted, at start and every six hours. @default 90 */
  retentionDays?: number;
}

/** Largest masked arguments or variables text kept per entry. */
const MAX_JSON = 16_384;

/** JSON text of a value with secrets and personal data masked (redact.ts), cut at 16 KiB. */
export function maskedJson(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(scrubValue(value ?? {}, { maxDepth: 12, maxItems: 100 })) ?? '{}';
  } catch {
    text = '"[unserialisable]"';
  }
  return text.length > MAX_JSON ? `${text.slice(0, MAX_JSON)}…[truncated]` : text;
}

const audited = new WeakSet<object>();

/** Marks a request context as having its mutations audited by the guard (so the plugin does not add a REFUSED entry). */
export function noteAudited(context: object): void {
  audited.add(context);
}

export function wasAudited(context: object): boolean {
  return audited.has(context);
}

export function createAuditLog(options: AuditLogOptions): AuditLog {
  const { store, logger } = options;
  const retentionMs = (options.retentionDays ?? 90) * 86_400_000;
  const purge = () =>
    store
      .purgeOlderThan(new Date(Date.now() - retentionMs).toISOString())
      .then((n) => {
        if (n > 0) logger.info({ deleted: n }, 'audit entries past retention deleted');
      })
      .catch((err: unknown) => logger.error({ err }, 'audit retention purge failed'));
  void purge();
  const timer = setInterval(() => void purge(), 6 * 3_600_000);
  timer.unref();

  return {
    async record(event) {
      try {
        await store.append({
          at: new Date().toISOString(),
          client: event.client,
          keyId: event.keyId ?? null,
          role: event.role,
          operationName: event.operationName,
          field: event.field,
          arguments: event.arguments === null ? null : maskedJson(event.arguments),
          variables: maskedJson(event.variables),
          outcome: event.outcome,
          errorCode: event.errorCode,
          durationMs: Math.round(event.durationMs * 100) / 100,
        });
      } catch (err) {
        logger.error({ err, client: event.client, field: event.field, outcome: event.outcome }, 'audit entry could not be stored');
      }
    },
    list: (filter, page) => store.list(filter, page),
    async close() {
      clearInterval(timer);
    },
  };
}
