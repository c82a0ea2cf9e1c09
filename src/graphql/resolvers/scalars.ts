/** Custom scalars: exact decimals as strings, ISO 8601 dates. */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { normalizeDecimal } from '../../domain/money.js';

function stringScalar(name: string, description: string, check: (v: string) => string | undefined) {
  const parse = (v: unknown): string => {
    const out = typeof v === 'string' ? check(v) : undefined;
    if (out === undefined) throw new GraphQLError(`${name} cannot represent ${JSON.stringify(v)}`);
    return out;
  };
  return new GraphQLScalarType({
    name,
    description,
    serialize: parse,
    parseValue: parse,
    parseLiteral(ast) {
      if (ast.kind !== Kind.STRING) throw new GraphQLError(`${name} must be a string literal`);
      return parse(ast.value);
    },
  });
}

const isoDateTime = (v: string) => (/^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : undefined);
const isoDate = (v: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? v : undefined);

export const scalarResolvers = {
  Decimal: stringScalar('Decimal', 'Exact decimal as a string', normalizeDecimal),
  DateTime: stringScalar('DateTime', 'ISO 8601 date-time', isoDateTime),
  Date: stringScalar('Date', 'ISO 8601 date', isoDate),
};
