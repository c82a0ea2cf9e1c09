/**
 * Simulated M3 customer orders entered through OIS100MI's batch
 * transactions (upstreams.md: `AddBatchHead` → a temporary ORNO,
 * `AddBatchLine` per line, `Confirm` → the final ORNO and STAT; `GetHead`,
 * `LstHead` by CUOR). Like M3, nothing here dedupes: a second AddBatchHead
 * with the same CUOR is a second order — which is why an exporter looks an
 * order up by CUOR before it sends again.
 *
 * Sandbox choices: temporary numbers are `T` + 9 digits, final ones 10
 * digits from 1000000001; a batch head is STAT 05 until confirmed, 22
 * (confirmed) after; a batch without lines cannot be confirmed.
 */

export interface OrderLine {
  PONR: string;
  ITNO: string;
  ORQT: string;
}

export interface OrderHead {
  /** The temporary number until confirmed, then the final one. */
  ORNO: string;
  /** The temporary number AddBatchHead answered. */
  tempOrno: string;
  CUNO: string;
  ORTP: string;
  CUOR: string;
  STAT: string;
  RGDT: string;
  lines: OrderLine[];
}

export interface CustomerOrders {
  addHead(head: { CUNO: string; ORTP: string; CUOR: string }): OrderHead;
  /** A head by its temporary or final number. */
  get(orno: string): OrderHead | undefined;
  addLine(orno: string, line: { ITNO: string; ORQT: string }): OrderLine;
  confirm(orno: string): OrderHead;
  byCustomerReference(cuor: string): OrderHead[];
  all(): OrderHead[];
  clear(): void;
}

export function createCustomerOrders(today: () => string): CustomerOrders {
  let heads: OrderHead[] = [];
  let nextTemp = 1;
  let nextFinal = 1_000_000_001;

  const find = (orno: string) => heads.find((h) => h.ORNO === orno || h.tempOrno === orno);

  return {
    addHead(head) {
      const tempOrno = `T${String(nextTemp++).padStart(9, '0')}`;
      const record: OrderHead = { ...head, ORNO: tempOrno, tempOrno, STAT: '05', RGDT: today(), lines: [] };
      heads.push(record);
      return record;
    },
    get: find,
    addLine(orno, line) {
      const head = find(orno);
      if (!head) throw new Error(`order ${orno} does not exist`);
      const record = { PONR: String(head.lines.length + 1), ...line };
      head.lines.push(record);
      return record;
    },
    confirm(orno) {
      const head = find(orno);
      if (!head) throw new Error(`order ${orno} does not exist`);
      if (head.STAT === '05') {
        head.ORNO = String(nextFinal++);
        head.STAT = '22';
      }
      return head;
    },
    byCustomerReference: (cuor) => heads.filter((h) => h.CUOR === cuor),
    all: () => [...heads],
    clear() {
      heads = [];
      nextTemp = 1;
      nextFinal = 1_000_000_001;
    },
  };
}
