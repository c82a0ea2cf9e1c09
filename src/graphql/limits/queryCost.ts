/**
 * The query cost model: what one operation is estimated to cost, from the
 * validated document and its variables, before anything runs. A client's
 * budget is spent in these points (src/limits/clientBudgets.ts) and one
 * request may not cost more than MAX_QUERY_COST.
 *
 * The model (README, "Limits and hardening"):
 * - every operation has a base cost: query 1, mutation 10, subscription 10;
 * - a scalar or enum field costs 0, a field of object type 1, and a field
 *   that reaches another upstream (or another call to one) its own weight
 *   (FIELD_WEIGHTS: Part.storeProduct 2, Part.inventory 3, …);
 * - a field whose upstream calls depend on its arguments or on what is
 *   selected under it adds what FIELD_COSTS says (a filtered
 *   `orders { totalCount }` pages the store up to 20 times; `inventory(skus)`
 *   reading supplier stock looks each SKU up at the supplier): the cost
 *   follows the calls a field can cause, not the shape of its answer;
 * - a list field costs its size times (its weight plus its selection's cost);
 *   the size is its `first` argument (or its schema default), the length of
 *   `ids`/`skus`/`partNumbers`/`itemNumbers` (or of `filter.ids`/`filter.skus`), the smaller
 *   when both bound it, a known bound (LIST_SIZES), or else DEFAULT_LIST_SIZE;
 * - a connection's `first` sizes its `edges`/`nodes`;
 * - introspection meta-fields (`__schema`, `__type`) cost 1 whole: they read
 *   the schema in memory, and graphql's MaxIntrospectionDepthRule plus the
 *   depth and alias limits bound their shape; `__typename` costs 0;
 * - a federation subgraph's `_entities(representations:)` (README,
 *   "Federation") costs, per representation, what fetching that entity by
 *   that key costs (ENTITY_COSTS) plus its type's part of the selection — so
 *   100 `Product`s by `sku` cost what 100 `product(sku:)` fields do, and are
 *   one batched store call; `_service { sdl }` is introspection (1).
 * Fragments are expanded (memoised, with a guard against cycles, which
 * validation refuses anyway). Variables are read as sent, falling back to
 * the variable's default, then the argument's schema default.
 */
import { getNamedType, getNullableType, isAbstractType, isCompositeType, isInterfaceType, isListType, isObjectType, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLCompositeType, type GraphQLField, type GraphQLObjectType, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import { ORDERS_COUNT_MAX_PAGES } from '../resolvers/orders.js';

export interface CostModel {
  /** Fixed cost of each operation type. @default query 1, mutation 10, subscription 10 */
  operationBase: Readonly<Record<'query' | 'mutation' | 'subscription', number>>;
  /** A field of object, interface or union type. @default 1 */
  objectField: number;
  /** A scalar or enum field. @default 0 */
  scalarField: number;
  /** `Type.field` → weight, for fields that reach another upstream. @default FIELD_WEIGHTS */
  fieldWeights: Readonly<Record<string, number>>;
  /** `Type.field` → list size, for lists with a known bound. @default LIST_SIZES */
  listSizes: Readonly<Record<string, number>>;
  /** Size assumed for a list nothing bounds. @default 10 */
  defaultListSize: number;
  /** Numeric arguments that size a list or a connection. @default ['first', 'last', 'limit'] */
  countArguments: readonly string[];
  /** List arguments whose length sizes a list (also looked for one level down, in `filter`). @default ['ids', 'skus', 'partNumbers', 'itemNumbers'] */
  listArguments: readonly string[];
  /** `__schema` or `__type` with everything under it. @default 1 */
  introspectionField: number;
  /** `Type.field` → extra weight from its arguments and selection (per item of a list). @default FIELD_COSTS */
  fieldCosts: Readonly<Record<string, FieldCost>>;
  /** `__typename` → extra weight of one `_entities` representation of that type. @default ENTITY_COSTS */
  entityCosts: Readonly<Record<string, EntityCost>>;
}

/** What a FIELD_COSTS rule sees of one field in the document. */
export interface FieldCostInput {
  /** The field's arguments as given (variables resolved; schema defaults not applied). */
  args: ReadonlyMap<string, unknown>;
  /** Whether the selection directly under the field asks for `name` (through fragments too). */
  selects(name: string): boolean;
}

/** Extra weight a field adds for the upstream calls its arguments or selection cause. */
export type FieldCost = (field: FieldCostInput) => number;

/**
 * Fields that reach another upstream than their parent came from, or make
 * more calls than a batched lookup (weights per item).
 */
export const FIELD_WEIGHTS: Readonly<Record<string, number>> = {
  // Store product by SKU rule: one batched BigCommerce lookup.
  'Part.storeProduct': 2,
  // Supplier stock plus store inventory items: two upstreams.
  'Part.inventory': 3,
  'Product.inventory': 3,
  // The store product and the supplier data compared, and the ERP's stock: three upstreams (batched).
  'Part.drift': 4,
  'Product.drift': 4,
  // A supplier lookup per distinct SKU (the supplier has no batch lookup by part number).
  'Product.supplierPart': 3,
  // An order's products: one BigCommerce call per order.
  'Order.lines': 2,
  'OrderLine.product': 2,
  // The line's SKU to a supplier part: a lookup by part number, as Product.supplierPart.
  'OrderLine.part': 3,
  'SupplierOrderLine.part': 2,
  // The ERP item by the item rule: one bulk ERP call per batch.
  'Part.erpItem': 2,
  'Product.erpItem': 2,
  'Query.erpItems': 2,
  // The ERP's stock of the linked item: another bulk ERP call.
  'Inventory.erpAvailable': 2,
  // One ERP transaction, unbatched (each distinct input is its own call).
  'Query.m3': 5,
  // The supplier's vehicle lookup: one cached call for the whole list (LIST_SIZES counts it once).
  'Query.vehicleMakes': 1,
  'Query.vehicleModels': 1,
  'Query.vehicleYears': 1,
  // A look-up by CUOR, the lines, the confirmation (erpExporter.ts): ERP calls, unbatched.
  'Mutation.retryErpOrderExport': 3,
  // A share link is resolved in the mutation: up to TIKTOK_MAX_REDIRECTS (5) TikTok calls.
  'Mutation.ingestSocialLink': 5,
  // A store lookup by SKU and one create (or a product read to link): two store calls.
  'Mutation.publishProductDraft': 2,
  // A draft's matched part (the batched multi call) and store products (batched by id).
  'ProductMatch.product': 2,
  'ProductDraft.product': 2,
  // The store products (one batched read) and the WhatsApp send.
  'Mutation.sendProductMessage': 3,
  // The message's store products: one batched store read.
  'WhatsAppMessage.products': 2,
};

/** Lists whose size the gateway knows better than DEFAULT_LIST_SIZE. */
export const LIST_SIZES: Readonly<Record<string, number>> = {
  // PRICE, STOCK, NAME, ERP_STOCK at most.
  'Drift.fields': 4,
  // One stock call per batch of items answers every warehouse row: priced as two.
  'ErpItem.warehouses': 2,
  // Lists of names from one lookup call: charged as the one call, not per name.
  'Query.vehicleMakes': 1,
  'Query.vehicleModels': 1,
  'Query.vehicleYears': 1,
};

/** A supplier lookup by part number (the supplier has no batch form of it), with the part it finds. */
const SUPPLIER_LOOKUP = 3;

const hasOrderFilter = (filter: unknown): boolean =>
  typeof filter === 'object' && filter !== null && Object.values(filter).some((v) => v !== null && v !== undefined);

const isMirroredChannelFilter = (filter: unknown): boolean =>
  typeof filter === 'object' && filter !== null && (filter as { channel?: unknown }).channel === 'SHOPIFY';

/**
 * Upstream calls that depend on a field's arguments or selection, so no
 * fixed weight prices them (src/graphql/resolvers names the calls).
 */
export const FIELD_COSTS: Readonly<Record<string, FieldCost>> = {
  // orders.ts: a cursor off a page boundary reads a second page; totalCount is one count call, but for a
  // filtered list (BigCommerce v2 has no filtered count) it pages through the set, up to ORDERS_COUNT_MAX_PAGES.
  // A mirrored channel's orders (filter.channel SHOPIFY) are read from the orders mirror: no upstream call at all.
  'Query.orders': (f) =>
    isMirroredChannelFilter(f.args.get('filter'))
      ? 0
      : (f.args.get('after') != null ? 1 : 0) + (!f.selects('totalCount') ? 0 : hasOrderFilter(f.args.get('filter')) ? ORDERS_COUNT_MAX_PAGES : 1),
  // inventory.ts: stock by SKU alone has no supplier variant, so supplier stock (and what is derived from it)
  // first finds the part by a lookup per SKU. Store stock is one batched read per 250 SKUs, priced by the
  // object weight. The lookup is shared by the three fields (request-scoped loaders), so it is charged once.
  'Query.inventory': (f) => (['supplierQuantity', 'available', 'inStock'].some((name) => f.selects(name)) ? SUPPLIER_LOOKUP : 0),
};

/** What a federation `_entities` representation gives: its type and key fields (key → value). */
export type EntityCost = (representation: Readonly<Record<string, unknown>>, selects: (name: string) => boolean) => number;

/**
 * `_entities`: the extra weight of resolving one representation of a type,
 * on top of the object field (1) every entity costs, as the loaders fetch it
 * (src/graphql/federation/entities.ts).
 */
export const ENTITY_COSTS: Readonly<Record<string, EntityCost>> = {
  // By id: the batched multi call (the object weight). By part number: a supplier lookup each.
  Part: (rep) => (rep.id == null && rep.partNumber != null ? SUPPLIER_LOOKUP : 0),
  // Inventory by SKU reads supplier stock as Query.inventory does: a lookup per SKU, once.
  Inventory: (_rep, selects) => (['supplierQuantity', 'available', 'inStock'].some(selects) ? SUPPLIER_LOOKUP : 0),
};

export const DEFAULT_COST_MODEL: CostModel = {
  operationBase: { query: 1, mutation: 10, subscription: 10 },
  objectField: 1,
  scalarField: 0,
  fieldWeights: FIELD_WEIGHTS,
  listSizes: LIST_SIZES,
  defaultListSize: 10,
  countArguments: ['first', 'last', 'limit'],
  listArguments: ['ids', 'skus', 'partNumbers', 'itemNumbers'],
  introspectionField: 1,
  fieldCosts: FIELD_COSTS,
  entityCosts: ENTITY_COSTS,
};

/** The sizes we are willing to multiply by; anything larger is already far over any limit. */
const MAX_SIZE = 1_000_000_000;

/**
 * The estimated cost of the operation `operationName` (or the only one) of a
 * validated document; 0 when there is no such operation (execution will
 * refuse it without doing anything).
 */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  options: { operationName?: string | null; variables?: Readonly<Record<string, unknown>> | null; model?: Partial<CostModel> } = {},
): number {
  const model: CostModel = { ...DEFAULT_COST_MODEL, ...options.model };
  const operation = selectOperation(document, options.operationName);
  if (!operation) return 0;
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return 0;
  const variables = options.variables ?? {};
  const queryType = schema.getQueryType();
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const variableDefaults = new Map<string, ValueNode>();
  for (const v of operation.variableDefinitions ?? []) if (v.defaultValue) variableDefaults.set(v.variable.name.value, v.defaultValue);

  /** Plain JS value of an argument: a number, string, boolean, an array, an object of plain values, or undefined. */
  function valueOf(node: ValueNode | undefined): unknown {
    if (!node) return undefined;
    switch (node.kind) {
      case Kind.VARIABLE: {
        const name = node.name.value;
        if (Object.prototype.hasOwnProperty.call(variables, name)) return variables[name];
        return valueOf(variableDefaults.get(name));
      }
      case Kind.INT:
      case Kind.FLOAT:
        return Number(node.value);
      // A literal is the value it spells, as the same value sent in a variable (a filter's date, a cursor, a __typename).
      case Kind.STRING:
      case Kind.ENUM:
        return node.value;
      case Kind.BOOLEAN:
        return node.value;
      case Kind.LIST:
        return node.values.map(valueOf);
      case Kind.OBJECT:
        return Object.fromEntries(node.fields.map((f) => [f.name.value, valueOf(f.value)]));
      case Kind.NULL:
        return null;
      default:
        return undefined;
    }
  }

  /** The size an argument set gives a list or connection, or undefined when none does. */
  function sizeFromArguments(field: GraphQLField<unknown, unknown>, args: ReadonlyMap<string, unknown>): number | undefined {
    const sizes: number[] = [];
    const take = (value: unknown, counted: boolean) => {
      if (counted && typeof value === 'number' && Number.isFinite(value)) sizes.push(value);
      if (!counted && Array.isArray(value)) sizes.push(value.length);
    };
    for (const def of field.args) {
      const given = args.has(def.name) ? args.get(def.name) : def.defaultValue;
      if (model.countArguments.includes(def.name)) take(given, true);
      else if (model.listArguments.includes(def.name)) take(given, false);
      else if (given && typeof given === 'object' && !Array.isArray(given)) {
        // One level down: products(filter: { ids, skus }).
        for (const name of model.listArguments) take((given as Record<string, unknown>)[name], false);
      }
    }
    if (sizes.length === 0) return undefined;
    return Math.min(MAX_SIZE, Math.max(0, Math.min(...sizes)));
  }

  const fragmentMemo = new Map<string, number>();
  const onPath = new Set<string>();

  /** Whether a fragment on `condition` (a type name; none: the parent's) applies to objects of type `only` (undefined: any). */
  function applies(condition: string | undefined, only: GraphQLObjectType | undefined): boolean {
    if (!only || condition === undefined || condition === only.name) return true;
    const cond = schema.getType(condition);
    return cond !== undefined && isAbstractType(cond) && schema.isSubType(cond, only);
  }

  /**
   * Whether `set` asks for the field `name` directly, through inline and
   * named fragments (cycles ignored); with `only`, through the fragments
   * that apply to that object type.
   */
  function selectsField(set: SelectionSetNode | undefined, name: string, only?: GraphQLObjectType, seen = new Set<string>()): boolean {
    if (!set) return false;
    return set.selections.some((sel) => {
      if (sel.kind === Kind.FIELD) return sel.name.value === name;
      if (sel.kind === Kind.INLINE_FRAGMENT) return applies(sel.typeCondition?.name.value, only) && selectsField(sel.selectionSet, name, only, seen);
      const fragment = fragments.get(sel.name.value);
      if (!fragment || seen.has(sel.name.value) || !applies(fragment.typeCondition.name.value, only)) return false;
      seen.add(sel.name.value);
      return selectsField(fragment.selectionSet, name, only, seen);
    });
  }

  /**
   * `_entities(representations:)`: each representation costs an object field,
   * its type's ENTITY_COSTS and the part of the selection that applies to its
   * type (`... on Product { … }`), so a request mixing types is not charged
   * every type's selection for every entity. A representation that is not
   * one (no known `__typename`) costs the object field: it is refused
   * without any call.
   */
  function entitiesCost(representations: unknown, set: SelectionSetNode | undefined): number {
    if (!Array.isArray(representations)) return 0;
    const perType = new Map<string, number>();
    let total = 0;
    for (const rep of representations.slice(0, MAX_SIZE)) {
      const record = typeof rep === 'object' && rep !== null && !Array.isArray(rep) ? (rep as Record<string, unknown>) : undefined;
      const typeName = typeof record?.__typename === 'string' ? record.__typename : undefined;
      const type = typeName ? schema.getType(typeName) : undefined;
      if (!record || !type || !isObjectType(type)) {
        total += model.objectField;
        continue;
      }
      let selection = perType.get(type.name);
      if (selection === undefined) {
        selection = set ? selectionCost(set, type, undefined, type) : 0;
        perType.set(type.name, selection);
      }
      const extra = model.entityCosts[type.name]?.(record, (n) => selectsField(set, n, type)) ?? 0;
      total += model.objectField + extra + selection;
    }
    return total;
  }

  /**
   * Cost of a selection set on `parentType`. `connectionSize` sizes the list
   * fields directly under it (a connection's `edges`/`nodes`).
   */
  function selectionCost(set: SelectionSetNode, parentType: GraphQLCompositeType, connectionSize: number | undefined, only?: GraphQLObjectType): number {
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        if (!applies(sel.typeCondition?.name.value, only)) continue;
        const cond = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parentType;
        // With `only` (an entity's type), the fields under an abstract condition are that type's.
        if (cond && isCompositeType(cond)) total += selectionCost(sel.selectionSet, only ?? cond, connectionSize, only);
        continue;
      }
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const name = sel.name.value;
        const fragment = fragments.get(name);
        if (!fragment || onPath.has(name) || !applies(fragment.typeCondition.name.value, only)) continue;
        const key = `${name}\u0000${connectionSize ?? ''}\u0000${only?.name ?? ''}`;
        let cost = fragmentMemo.get(key);
        if (cost === undefined) {
          const cond = schema.getType(fragment.typeCondition.name.value);
          onPath.add(name);
          cost = cond && isCompositeType(cond) ? selectionCost(fragment.selectionSet, only ?? cond, connectionSize, only) : 0;
          onPath.delete(name);
          fragmentMemo.set(key, cost);
        }
        total += cost;
        continue;
      }
      const name = sel.name.value;
      if (name === '__typename') continue;
      if (name === '__schema' || name === '__type') {
        total += model.introspectionField;
        continue;
      }
      // Federation (a subgraph schema only has them): `_service { sdl }` reads the schema like introspection.
      if (parentType === queryType && name === '_service') {
        total += model.introspectionField;
        continue;
      }
      if (parentType === queryType && name === '_entities') {
        const args = new Map((sel.arguments ?? []).map((a) => [a.name.value, valueOf(a.value)]));
        total += entitiesCost(args.get('representations'), sel.selectionSet);
        continue;
      }
      if (!isObjectType(parentType) && !isInterfaceType(parentType)) continue;
      const field = parentType.getFields()[name];
      if (!field) continue;
      const coordinate = `${parentType.name}.${name}`;
      const named = getNamedType(field.type);
      const composite = isCompositeType(named);
      const args = new Map((sel.arguments ?? []).map((a) => [a.name.value, valueOf(a.value)]));
      const rule = model.fieldCosts[coordinate];
      const extra = rule ? rule({ args, selects: (n) => selectsField(sel.selectionSet, n) }) : 0;
      const weight = (model.fieldWeights[coordinate] ?? (composite ? model.objectField : model.scalarField)) + extra;
      const size = field.args.length ? sizeFromArguments(field, args) : undefined;
      const isList = isListType(getNullableType(field.type));
      const multiplier = isList ? (size ?? model.listSizes[coordinate] ?? connectionSize ?? model.defaultListSize) : 1;
      // A non-list field with a size is a connection: the size goes to its edges/nodes.
      const childConnectionSize = !isList && size !== undefined ? size : undefined;
      const children = composite && sel.selectionSet ? selectionCost(sel.selectionSet, named, childConnectionSize) : 0;
      total += multiplier * (weight + children);
    }
    return total;
  }

  return model.operationBase[operation.operation] + selectionCost(operation.selectionSet, rootType, undefined);
}

/** The operation a request runs: the named one, or the only one. */
export function selectOperation(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}
