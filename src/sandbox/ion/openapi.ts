/**
 * The OpenAPI 3.0 document of the ION sandbox, served at
 * `/__sandbox/openapi.json`: the token endpoints and M3 MI REST as
 * upstreams.md describes them, and the sandbox's admin routes.
 */
type Json = Record<string, unknown>;

const str = { type: 'string' };
const obj = (properties: Json): Json => ({ type: 'object', properties });
const json = (schema: Json, description = 'OK'): Json => ({ description, content: { 'application/json': { schema } } });
const form = (properties: Json): Json => ({ requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: obj(properties) } } } });
const oauthError = json(obj({ error: str, error_description: str }), 'RFC 6749 §5.2 error');
const admin = (summary: string): Json => ({ summary, tags: ['sandbox admin'], security: [], responses: { '200': json(obj({})) } });

const result = obj({
  transaction: str,
  records: { type: 'array', items: { type: 'object', additionalProperties: str } },
  errorMessage: str,
  errorType: { type: 'string', example: 'MandatoryInputFieldNotFound' },
  errorCode: str,
  errorField: str,
});
const envelope = obj({
  results: { type: 'array', items: result },
  wasTerminated: { type: 'boolean' },
  nrOfSuccessfullTransactions: { type: 'integer' },
  nrOfFailedTransactions: { type: 'integer', description: '> 0 on a business error: the answer is still HTTP 200' },
});

export function buildIonOpenApi(tenant: string): Json {
  const mi = `/${tenant}/M3/m3api-rest/v2`;
  return {
    openapi: '3.0.3',
    info: { title: 'Infor ION API (Crossdock sandbox)', version: '1.0', description: 'Token endpoints and M3 MI REST for tenant ' + tenant },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, basic: { type: 'http', scheme: 'basic' } } },
    security: [{ bearer: [] }],
    paths: {
      [`/${tenant}/as/token.oauth2`]: {
        post: {
          summary: 'Token: password grant (saak/sask) or refresh_token grant; client by Basic ci:cs or client_id/client_secret',
          security: [{ basic: [] }, {}],
          ...form({ grant_type: { type: 'string', enum: ['password', 'refresh_token'] }, username: str, password: str, refresh_token: str, client_id: str, client_secret: str }),
          responses: { '200': json(obj({ access_token: str, token_type: str, expires_in: { type: 'integer' }, refresh_token: str })), '400': oauthError, '401': oauthError },
        },
      },
      [`/${tenant}/as/revoke_token.oauth2`]: {
        post: { summary: 'RFC 7009 revocation', security: [{ basic: [] }, {}], ...form({ token: str, token_type_hint: str }), responses: { '200': json(obj({})), '400': oauthError, '401': oauthError } },
      },
      [`${mi}/execute/{program}/{transaction}`]: {
        get: {
          summary: 'One MI transaction: fields as upper-case query parameters, options maxrecs, returncols, dateformat, excludeempty, righttrim, cono (or matrix ;maxrecs=;returncols=;excludempty=)',
          parameters: [
            { name: 'program', in: 'path', required: true, schema: str },
            { name: 'transaction', in: 'path', required: true, schema: str },
          ],
          responses: { '200': json(envelope), '400': json(obj({ errorMessage: str, errorCode: str }), 'unknown program or transaction'), '401': oauthError, '429': oauthError },
        },
      },
      [`${mi}/execute`]: {
        post: {
          summary: 'Bulk: many transactions of one program in one call',
          requestBody: { required: true, content: { 'application/json': { schema: obj({ program: str, cono: str, maxReturnedRecords: { type: 'integer' }, transactions: { type: 'array', items: obj({ transaction: str, record: { type: 'object' }, selectedColumns: { type: 'array', items: str } }) } }) } } },
          responses: { '200': json(envelope), '400': json(obj({ errorMessage: str, errorCode: str })), '401': oauthError, '429': oauthError },
        },
      },
      '/__sandbox/ionapi': { get: admin('The .ionapi credentials file for this origin') },
      '/__sandbox/tokens': { get: admin('Grant counters, live tokens, the token lifetime'), post: admin('Set {ttlSeconds} for tokens issued from now on') },
      '/__sandbox/tokens/revoke': { post: admin('Revoke every live access token ({refreshTokens: true}: refresh tokens too)') },
      '/__sandbox/limits': { get: admin('The throttling policy'), post: admin('Change {requestsPerWindow, windowMs, retryAfterSeconds}') },
      '/__sandbox/mi': { get: admin('Transactions run, by PROGRAM/TRANSACTION') },
      '/__sandbox/orders': { get: admin('Customer orders entered through OIS100MI') },
    },
  };
}
