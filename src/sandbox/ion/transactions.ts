/**
 * The M3 MI programs the sandbox answers (upstreams.md, "Programs a parts
 * seller uses"), declared as tables: each transaction's input fields (their
 * M3 length, mandatory or not, numeric or not), its output fields (lengths,
 * for the padding M3 sends unless `righttrim`), and what it does.
 *
 * Business outcomes follow the vendor's rule: a refusal is an answer with an
 * `errorType` (MandatoryInputFieldNotFound, InputFieldTooLong, or
 * ServerReturnedNOK with an errorCode and errorField), never an HTTP error.
 * The codes are the sandbox's own (M3 message ids: `W` + field + `03` for
 * "does not exist", `02` for "must be entered"); the vendor publishes none.
 */
import type { CustomerOrders } from './customerOrders.js';
import { WAREHOUSES, type ErpData } from './erpData.js';

export interface FieldDef {
  length: number;
  numeric?: boolean;
}

export interface InputDef extends FieldDef {
  mandatory?: boolean;
}

export interface Nok {
  type: 'ServerReturnedNOK' | 'MandatoryInputFieldNotFound' | 'InputFieldTooLong';
  message: string;
  code?: string;
  field?: string;
}

export type Outcome = { records: Array<Record<string, string>> } | { nok: Nok };

export interface TransactionContext {
  data: ErpData;
  orders: CustomerOrders;
  /** Most records a list may return (the request's maxrecs). */
  maxRecords: number;
}

export interface TransactionSpec {
  inputs: Record<string, InputDef>;
  outputs: Record<string, FieldDef>;
  /** Changes state (OIS100MI Add*, Confirm). */
  write?: boolean;
  run(input: Readonly<Record<string, string>>, ctx: TransactionContext): Outcome;
}

const nok = (message: string, code?: string, field?: string): { nok: Nok } => ({ nok: { type: 'ServerReturnedNOK', message, ...(code ? { code } : {}), ...(field ? { field } : {}) } });
const rows = (...records: Array<Record<string, string>>): Outcome => ({ records });

const CONO: InputDef = { length: 3, numeric: true };
const ITEM_OUT = { CONO: { length: 3, numeric: true }, ITNO: { length: 15 }, ITDS: { length: 30 }, FUDS: { length: 60 }, STAT: { length: 2 }, ITTY: { length: 3 }, ITGR: { length: 5 }, UNMS: { length: 3 }, RESP: { length: 10 }, GRWE: { length: 16, numeric: true }, RGDT: { length: 8, numeric: true }, LMDT: { length: 8, numeric: true } };
const BALANCE_OUT = { CONO: { length: 3, numeric: true }, WHLO: { length: 3 }, ITNO: { length: 15 }, WHSL: { length: 10 }, BANO: { length: 20 }, STQT: { length: 16, numeric: true }, ALQT: { length: 16, numeric: true }, AVAL: { length: 16, numeric: true } };
const HEAD_OUT = { CONO: { length: 3, numeric: true }, ORNO: { length: 10 }, CUNO: { length: 10 }, ORTP: { length: 3 }, CUOR: { length: 20 }, ORST: { length: 2 }, RGDT: { length: 8, numeric: true } };

const missingItem = (itno: string) => nok(`Item number ${itno} does not exist`, 'WITNO03', 'ITNO');

export function createPrograms(): Record<string, Record<string, TransactionSpec>> {
  const item = (ctx: TransactionContext, itno: string) => {
    const record = ctx.data.item(itno);
    return record ? { CONO: ctx.data.company, ...record } : undefined;
  };
  const headRecord = (ctx: TransactionContext, h: ReturnType<CustomerOrders['all']>[number]) => ({ CONO: ctx.data.company, ORNO: h.ORNO, CUNO: h.CUNO, ORTP: h.ORTP, CUOR: h.CUOR, ORST: h.STAT, RGDT: h.RGDT });

  return {
    MMS200MI: {
      GetItmBasic: {
        inputs: { CONO, ITNO: { length: 15, mandatory: true } },
        outputs: ITEM_OUT,
        run: (input, ctx) => {
          const record = item(ctx, input.ITNO!);
          return record ? rows(record) : missingItem(input.ITNO!);
        },
      },
      LstItmByItm: {
        inputs: { CONO, ITNO: { length: 15 } },
        outputs: ITEM_OUT,
        run: (input, ctx) => ({ records: ctx.data.itemsFrom(input.ITNO ?? '', ctx.maxRecords).map((r) => ({ CONO: ctx.data.company, ...r })) }),
      },
      GetItmWhsBasic: {
        inputs: { CONO, WHLO: { length: 3, mandatory: true }, ITNO: { length: 15, mandatory: true } },
        outputs: { CONO: { length: 3, numeric: true }, WHLO: { length: 3 }, ITNO: { length: 15 }, STAT: { length: 2 }, WHNM: { length: 36 }, STQT: { length: 16, numeric: true }, ALQT: { length: 16, numeric: true }, AVAL: { length: 16, numeric: true } },
        run: (input, ctx) => {
          const warehouse = WAREHOUSES.find((w) => w.code === input.WHLO);
          if (!warehouse) return nok(`Warehouse ${input.WHLO} does not exist`, 'WWHLO03', 'WHLO');
          const record = item(ctx, input.ITNO!);
          if (!record) return missingItem(input.ITNO!);
          const here = ctx.data.balances(input.ITNO!).filter((b) => b.WHLO === warehouse.code);
          if (here.length === 0) return nok(`Item ${input.ITNO} is not stocked in warehouse ${warehouse.code}`, 'WITW003', 'WHLO');
          const sum = (f: 'STQT' | 'ALQT' | 'AVAL') => here.reduce((s, b) => s + Number(b[f]), 0).toFixed(6);
          return rows({ CONO: ctx.data.company, WHLO: warehouse.code, ITNO: record.ITNO, STAT: record.STAT, WHNM: warehouse.name, STQT: sum('STQT'), ALQT: sum('ALQT'), AVAL: sum('AVAL') });
        },
      },
    },
    MMS060MI: {
      LstBalID: {
        inputs: { CONO, WHLO: { length: 3 }, ITNO: { length: 15, mandatory: true } },
        outputs: BALANCE_OUT,
        run: (input, ctx) => {
          if (!item(ctx, input.ITNO!)) return missingItem(input.ITNO!);
          const balances = ctx.data.balances(input.ITNO!).filter((b) => !input.WHLO || b.WHLO === input.WHLO);
          return { records: balances.slice(0, ctx.maxRecords).map((b) => ({ CONO: ctx.data.company, ...b })) };
        },
      },
      LstSumQty: {
        inputs: { CONO, WHLO: { length: 3 }, ITNO: { length: 15, mandatory: true } },
        outputs: { CONO: { length: 3, numeric: true }, WHLO: { length: 3 }, ITNO: { length: 15 }, STQT: { length: 16, numeric: true }, ALQT: { length: 16, numeric: true }, AVAL: { length: 16, numeric: true } },
        run: (input, ctx) => {
          if (!item(ctx, input.ITNO!)) return missingItem(input.ITNO!);
          const byWarehouse = new Map<string, { STQT: number; ALQT: number; AVAL: number }>();
          for (const b of ctx.data.balances(input.ITNO!)) {
            if (input.WHLO && b.WHLO !== input.WHLO) continue;
            const s = byWarehouse.get(b.WHLO) ?? { STQT: 0, ALQT: 0, AVAL: 0 };
            s.STQT += Number(b.STQT);
            s.ALQT += Number(b.ALQT);
            s.AVAL += Number(b.AVAL);
            byWarehouse.set(b.WHLO, s);
          }
          return { records: [...byWarehouse].map(([WHLO, s]) => ({ CONO: ctx.data.company, WHLO, ITNO: input.ITNO!, STQT: s.STQT.toFixed(6), ALQT: s.ALQT.toFixed(6), AVAL: s.AVAL.toFixed(6) })) };
        },
      },
    },
    CRS610MI: {
      GetBasicData: {
        inputs: { CONO, CUNO: { length: 10, mandatory: true } },
        outputs: { CONO: { length: 3, numeric: true }, CUNO: { length: 10 }, CUNM: { length: 36 }, CUTP: { length: 1, numeric: true }, STAT: { length: 2 }, CUCD: { length: 3 }, CSCD: { length: 3 } },
        run: (input, ctx) => {
          const c = ctx.data.customer(input.CUNO!);
          return c ? rows({ CONO: ctx.data.company, ...c }) : nok(`Customer ${input.CUNO} does not exist`, 'WCUNO03', 'CUNO');
        },
      },
    },
    OIS100MI: {
      AddBatchHead: {
        write: true,
        inputs: { CONO, CUNO: { length: 10, mandatory: true }, ORTP: { length: 3, mandatory: true }, CUOR: { length: 20 } },
        outputs: { ORNO: { length: 10 } },
        run: (input, ctx) => {
          const customer = ctx.data.customer(input.CUNO!);
          if (!customer) return nok(`Customer ${input.CUNO} does not exist`, 'WCUNO03', 'CUNO');
          if (customer.STAT !== '20') return nok(`Customer ${input.CUNO} is blocked`, 'WCUNO13', 'CUNO');
          return rows({ ORNO: ctx.orders.addHead({ CUNO: input.CUNO!, ORTP: input.ORTP!, CUOR: input.CUOR ?? '' }).ORNO });
        },
      },
      AddBatchLine: {
        write: true,
        inputs: { CONO, ORNO: { length: 10, mandatory: true }, ITNO: { length: 15, mandatory: true }, ORQT: { length: 15, numeric: true, mandatory: true } },
        outputs: { PONR: { length: 5, numeric: true } },
        run: (input, ctx) => {
          const head = ctx.orders.get(input.ORNO!);
          if (!head) return nok(`Order number ${input.ORNO} does not exist`, 'WORNO03', 'ORNO');
          if (head.STAT !== '05') return nok(`Order ${input.ORNO} is already confirmed`, 'WORNO19', 'ORNO');
          if (!ctx.data.item(input.ITNO!)) return missingItem(input.ITNO!);
          if (!(Number(input.ORQT) > 0)) return nok('Ordered quantity must be greater than zero', 'WORQT12', 'ORQT');
          return rows({ PONR: ctx.orders.addLine(head.ORNO, { ITNO: input.ITNO!, ORQT: Number(input.ORQT).toFixed(6) }).PONR });
        },
      },
      Confirm: {
        write: true,
        inputs: { CONO, ORNO: { length: 10, mandatory: true } },
        outputs: { ORNO: { length: 10 }, STAT: { length: 2 } },
        run: (input, ctx) => {
          const head = ctx.orders.get(input.ORNO!);
          if (!head) return nok(`Order number ${input.ORNO} does not exist`, 'WORNO03', 'ORNO');
          if (head.lines.length === 0) return nok(`Order ${input.ORNO} has no lines`, 'WORNO22', 'ORNO');
          const confirmed = ctx.orders.confirm(head.ORNO);
          return rows({ ORNO: confirmed.ORNO, STAT: confirmed.STAT });
        },
      },
      GetHead: {
        inputs: { CONO, ORNO: { length: 10, mandatory: true } },
        outputs: HEAD_OUT,
        run: (input, ctx) => {
          const head = ctx.orders.get(input.ORNO!);
          return head ? rows(headRecord(ctx, head)) : nok(`Order number ${input.ORNO} does not exist`, 'WORNO03', 'ORNO');
        },
      },
      LstHead: {
        inputs: { CONO, CUNO: { length: 10 }, CUOR: { length: 20 } },
        outputs: HEAD_OUT,
        run: (input, ctx) => {
          const heads = ctx.orders.all().filter((h) => (!input.CUNO || h.CUNO === input.CUNO) && (!input.CUOR || h.CUOR === input.CUOR));
          return { records: heads.slice(0, ctx.maxRecords).map((h) => headRecord(ctx, h)) };
        },
      },
    },
  };
}
