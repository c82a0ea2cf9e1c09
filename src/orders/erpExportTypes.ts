/**
 * Store orders exported into the ERP as customer orders (job kind
 * ERP_ORDER_EXPORT, README "Orders into the ERP"): the durable intent and
 * its lifecycle. M3 enters an order in three calls — OIS100MI AddBatchHead
 * (a batch head under a temporary number, CUOR = the store order id),
 * AddBatchLine per line, Confirm (the customer order, its final number) —
 * none of them idempotent (upstreams.md), so every call is recorded before
 * it is made and every resend after an unknown outcome is preceded by a
 * lookup by CUOR (erpExporter.ts).
 *
 *   PENDING ─AddBatchHead─▶ OPEN ─AddBatchLine…─▶ OPEN ─Confirm─▶ CONFIRMED
 *      ▲                     │ a line refused: PARTIAL (retry: the refused lines, then Confirm)
 *      │ lines unknown:      │ head or Confirm refused, or attempts spent: FAILED (retry)
 *      └─ batch abandoned ◀──┘ an outcome unknown: UNKNOWN (step says which call; next: look up by CUOR)
 *   SKIPPED: the store will not fulfil it (cancelled, declined…) or it has no lines; nothing sent.
 */
export type ErpExportStatus = 'PENDING' | 'OPEN' | 'UNKNOWN' | 'PARTIAL' | 'FAILED' | 'CONFIRMED' | 'SKIPPED';

/** The ERP call an export has in flight, or whose outcome is unknown. */
export type ErpExportStep = 'HEAD' | 'LINES' | 'CONFIRM';

export type ErpLineStatus = 'PENDING' | 'ADDED' | 'REFUSED';

/** States an export run drives on by itself (the rest wait for a person, or are done). */
export const DRIVEN_EXPORTS: readonly ErpExportStatus[] = ['PENDING', 'OPEN', 'UNKNOWN'];
/** States `retryErpOrderExport` takes up again. */
export const RETRYABLE_EXPORTS: readonly ErpExportStatus[] = ['PARTIAL', 'FAILED'];

/** What the ERP (or the gateway, before any call) said was wrong: the typed error a client sees. */
export interface ErpExportError {
  /** The gateway's error code: BAD_USER_INPUT (M3: a mandatory field missing, a value too long), UPSTREAM_ERROR, UPSTREAM_UNAVAILABLE… */
  code: string;
  message: string;
  /** The field the ERP named (M3 errorField), e.g. ITNO, CUNO. */
  field?: string;
  /** M3's errorType, e.g. MandatoryInputFieldNotFound, ServerReturnedNOK. */
  errorType?: string;
  /** M3's message id, e.g. WITNO03. */
  errorCode?: string;
  /** PROGRAM/Transaction the error came from. */
  transaction?: string;
}

export interface ErpExportLine {
  /** 1-based, in the store order's line order. */
  lineNumber: number;
  storeLineId: string;
  sku: string;
  /** The ERP item number by the ERP item rule; null when the rule gives none (the line is refused without a call). */
  itemNumber: string | null;
  quantity: number;
  status: ErpLineStatus;
  /** M3's order line number (PONR) once added. */
  erpLineNumber: string | null;
  error: ErpExportError | null;
}

export interface ErpExportRecord {
  id: string;
  storeOrderId: string;
  /** M3's customer order reference (CUOR): the store order id, the dedupe key upstream. */
  customerReference: string;
  status: ErpExportStatus;
  /** Set while a call is in flight (with sendingSince) and while its outcome is unknown; null otherwise. */
  step: ErpExportStep | null;
  /** The batch head's temporary order number (AddBatchHead). */
  batchOrderNumber: string | null;
  /** The customer order's number once confirmed. */
  orderNumber: string | null;
  /**
   * Batch heads given up: a line call whose outcome was unknown leaves the
   * batch's lines unknowable (M3 lists no batch lines), so the batch is
   * never confirmed and the order is entered again under a new head.
   */
  abandoned: string[];
  lines: ErpExportLine[];
  /** ERP write calls made (or possibly made) since the export was created or last retried. */
  attempts: number;
  /** When the call in flight started; null when none is. A crash leaves it set: the next run looks the order up first. */
  sendingSince: string | null;
  lastError: ErpExportError | null;
  /** The job that created it. */
  jobId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ErpExportEventRecord {
  exportId: string;
  at: string;
  from: ErpExportStatus | null;
  to: ErpExportStatus;
  reason: string;
}

/** Done: nothing more will be sent for it (CONFIRMED, SKIPPED), whatever runs. */
export function isSettledExport(status: ErpExportStatus): boolean {
  switch (status) {
    case 'CONFIRMED':
    case 'SKIPPED':
      return true;
    case 'PENDING':
    case 'OPEN':
    case 'UNKNOWN':
    case 'PARTIAL':
    case 'FAILED':
      return false;
    default: {
      const never: never = status;
      throw new Error(`unknown ERP export status ${String(never)}`);
    }
  }
}
