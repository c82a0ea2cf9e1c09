/**
 * The ERP in the graph: its items and their stock, linked to supplier parts
 * and store products by the ERP item rule (domain/erpItemRule.ts), the ERP's
 * stock in the inventory merge, and `m3(…)` — the read-only escape hatch for
 * the clients of the ION proxy Crossdock replaces.
 *
 * Without an ERP (production without ION_API_FILE) the fields only the ERP
 * can answer (`erpItems`, `m3`, `Part.erpItem`, `Product.erpItem`) are
 * refused with UPSTREAM_UNAVAILABLE, `extensions.reason: NOT_CONFIGURED`, so
 * a client can tell "no ERP" from "no such item" (a null); the merges that
 * only gain from it (`Inventory.erpAvailable`, drift's ERP_STOCK row) are
 * null or absent.
 */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import type { Erp } from '../../domain/ports.js';
import { sumQuantities, wholeUnits } from '../../domain/quantity.js';
import type { ErpItem } from '../../domain/types.js';
import type { GraphQLContext } from '../context.js';
import { ErrorCode, gatewayError } from '../errors.js';
import type { ErpItemResolvers, QueryResolvers } from '../generated/resolvers.js';
import { checkCode, checkListSize } from '../ids.js';
import type { InventoryModel } from '../models.js';
import { toGatewayError } from '../loaders.js';
import { erpNotConfigured } from '../sources.js';

/** Largest `maxRecords` of `m3`: far above a page a client reads, far below what would hurt. */
export const M3_MAX_RECORDS = 10_000;
/** Program and transaction names become path segments upstream: letters and digits only. */
const NAME = /^[A-Za-z0-9]{1,32}$/;
/** ERP field names are upper case (M3: ITNO, CONO, WHLO); lower-case names are the API's options, never a client's. */
const FIELD = /^[A-Z][A-Z0-9]{1,9}$/;
const MAX_INPUT_FIELDS = 50;
const MAX_VALUE_LENGTH = 256;

function requireErp(ctx: GraphQLContext): Erp {
  const erp = ctx.services.erp;
  if (!erp) throw erpNotConfigured();
  return erp;
}

/** JSON in and out, as is: only the escape hatch uses it. */
export const jsonScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral(ast, variables) {
    const value = (node: ValueNode): unknown => {
      switch (node.kind) {
        case Kind.STRING:
        case Kind.ENUM:
          return node.value;
        case Kind.BOOLEAN:
          return node.value;
        case Kind.INT:
        case Kind.FLOAT:
          return Number(node.value);
        case Kind.NULL:
          return null;
        case Kind.LIST:
          return node.values.map(value);
        case Kind.OBJECT:
          return Object.fromEntries(node.fields.map((f) => [f.name.value, value(f.value)]));
        case Kind.VARIABLE:
          return variables?.[node.name.value];
        default:
          throw new GraphQLError('JSON cannot represent this literal');
      }
    };
    return value(ast);
  },
});

/** `input` of `m3`: an object of upper-case ERP field → text, number or boolean, bounded; anything else is refused before a call. */
function transactionInput(input: unknown): Record<string, string> {
  if (input === null || input === undefined) return {};
  const refuse = (why: string) => gatewayError(ErrorCode.BAD_USER_INPUT, `input: ${why}`, { argument: 'input' });
  if (typeof input !== 'object' || Array.isArray(input)) throw refuse('an object of field → value');
  const entries = Object.entries(input as Record<string, unknown>);
  if (entries.length > MAX_INPUT_FIELDS) throw refuse(`at most ${MAX_INPUT_FIELDS} fields`);
  const out: Record<string, string> = {};
  for (const [field, v] of entries) {
    if (!FIELD.test(field)) throw refuse(`"${field.slice(0, 20)}" is not an ERP field name (upper-case letters and digits)`);
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw refuse(`${field} must be text, a number or a boolean`);
    const text = String(v);
    // eslint-disable-next-line no-control-regex
    if (text.length > MAX_VALUE_LENGTH || /[\u0000-\u001f\u007f]/.test(text)) throw refuse(`${field}: at most ${MAX_VALUE_LENGTH} printable characters`);
    out[field] = text;
  }
  return out;
}

/** The ERP's available stock of an item in whole units; null without an ERP or when it has no such item. */
export async function erpAvailable(itemNumber: string | null, ctx: GraphQLContext): Promise<number | null> {
  if (!ctx.services.erp || itemNumber === null) return null;
  const stock = await ctx.loaders.erpStock.load(itemNumber);
  return stock === null ? null : wholeUnits(sumQuantities(stock.map((w) => w.available)));
}

export const erpQueries: Pick<QueryResolvers, 'erpItems' | 'm3'> = {
  async erpItems(_root, { itemNumbers }, ctx) {
    requireErp(ctx);
    checkListSize('itemNumbers', itemNumbers.length, ctx.services.config.maxIdsPerField);
    const numbers = itemNumbers.map((n) => checkCode('itemNumbers', n));
    const results = await ctx.loaders.erpItem.loadMany(numbers);
    // Unknown numbers are null; an ERP failure for a number fails the field with its code.
    const failed = results.find((r): r is Error => r instanceof Error);
    if (failed) throw failed;
    return results as Array<ErpItem | null>;
  },

  async m3(_root, { program, transaction, input, maxRecords, returnColumns }, ctx) {
    const erp = requireErp(ctx);
    if (!NAME.test(program)) throw gatewayError(ErrorCode.BAD_USER_INPUT, 'program: letters and digits, at most 32', { argument: 'program' });
    if (!NAME.test(transaction)) throw gatewayError(ErrorCode.BAD_USER_INPUT, 'transaction: letters and digits, at most 32', { argument: 'transaction' });
    // Refused before anything is sent: only the allow-listed read transactions pass this door.
    if (!erp.transactions.allows(program, transaction)) {
      throw gatewayError(ErrorCode.FORBIDDEN, `${program}/${transaction} is not an allowed read transaction (ION_M3_ALLOWED_TRANSACTIONS)`, { program, transaction, reason: 'NOT_ALLOWED' });
    }
    const records = maxRecords ?? 100;
    if (!Number.isInteger(records) || records < 1 || records > M3_MAX_RECORDS) {
      throw gatewayError(ErrorCode.BAD_USER_INPUT, `maxRecords: 1 to ${M3_MAX_RECORDS}`, { argument: 'maxRecords' });
    }
    if (returnColumns) {
      checkListSize('returnColumns', returnColumns.length, 100);
      for (const c of returnColumns) if (!FIELD.test(c)) throw gatewayError(ErrorCode.BAD_USER_INPUT, 'returnColumns: upper-case ERP field names', { argument: 'returnColumns' });
    }
    const { result, ttlMs } = await ctx.services.sources.erpRead({ program, transaction, input: transactionInput(input), maxRecords: records, returnColumns: returnColumns ?? undefined });
    ctx.hints.minTtlMs = Math.min(ctx.hints.minTtlMs, ttlMs);
    if (result instanceof Error) throw toGatewayError(result);
    if (result.stale) ctx.hints.stale = true;
    const found = result.value?.records ?? [];
    return { records: found, nrOfRecords: found.length };
  },
};

export const erpItemResolvers: ErpItemResolvers<GraphQLContext> = {
  async warehouses(item, _args, ctx) {
    return (await ctx.loaders.erpStock.load(item.itemNumber)) ?? [];
  },
};

export const partErpResolvers = {
  erpItem(part: { partNumber: string }, _args: unknown, ctx: GraphQLContext) {
    requireErp(ctx);
    const n = ctx.services.erpItemRule.forPart(part.partNumber);
    return n ? ctx.loaders.erpItem.load(n) : null;
  },
};

export const productErpResolvers = {
  erpItem(product: { sku: string }, _args: unknown, ctx: GraphQLContext) {
    requireErp(ctx);
    const n = ctx.services.erpItemRule.forSku(product.sku);
    return n ? ctx.loaders.erpItem.load(n) : null;
  },
};

export const inventoryErpResolvers = {
  erpAvailable: (m: InventoryModel, _args: unknown, ctx: GraphQLContext) => erpAvailable(ctx.services.erpItemRule.forSku(m.sku), ctx),
};
