/**
 * The answer-type memo (src/graphql/answerContentType.ts) records only the
 * types Apollo chooses for a GraphQL answer: any other 200 (an HTML page, a
 * text answer) for the same Accept header must not label later answers.
 */
import { describe, expect, it } from 'vitest';
import { createAnswerContentTypes } from '../../src/graphql/answerContentType.js';

describe('answer content types', () => {
  const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

  it('records the GraphQL answer types for a header', () => {
    const types = createAnswerContentTypes();
    types.learn('application/json', 'application/json; charset=utf-8');
    types.learn('application/graphql-response+json', 'application/graphql-response+json; charset=utf-8');
    expect(types.known('application/json')).toBe('application/json; charset=utf-8');
    expect(types.known('application/graphql-response+json')).toBe('application/graphql-response+json; charset=utf-8');
  });

  it('never records another type, so the header is negotiated again', () => {
    const types = createAnswerContentTypes();
    types.learn(browser, 'text/html');
    types.learn(browser, 'text/plain; charset=utf-8');
    expect(types.known(browser)).toBeUndefined();
    types.learn(browser, 'application/json; charset=utf-8');
    expect(types.known(browser)).toBe('application/json; charset=utf-8');
  });

  it('keeps the first type recorded for a header, and nothing for no header', () => {
    const types = createAnswerContentTypes();
    types.learn('*/*', 'application/json; charset=utf-8');
    types.learn('*/*', 'application/graphql-response+json; charset=utf-8');
    expect(types.known('*/*')).toBe('application/json; charset=utf-8');
    types.learn('', 'application/json; charset=utf-8');
    types.learn(undefined, 'application/json; charset=utf-8');
    expect(types.known('')).toBeUndefined();
    expect(types.known(undefined)).toBeUndefined();
  });
});
