import { describe, expect, it } from 'vitest';

import { createBearerAuth, describeTokenProblem } from '../../../../src/transports/http/bearer-auth.js';
import { requestWith } from './request.js';

const FIRST = 'first-token-0123456789';
const SECOND = 'second-token-0123456789';

describe('createBearerAuth', () => {
  it('lets every request through as anonymous when there is no token', () => {
    expect(createBearerAuth([])(requestWith({}))).toEqual({ ok: true, principal: 'anonymous' });
  });

  it('tells the tokens apart, so that a session can be bound to one', () => {
    const auth = createBearerAuth([FIRST, SECOND]);
    const first = auth(requestWith({ authorization: `Bearer ${FIRST}` }));
    const second = auth(requestWith({ authorization: `bearer  ${SECOND}` }));
    expect(first).toEqual({ ok: true, principal: 'token-0' });
    expect(second).toEqual({ ok: true, principal: 'token-1' });
  });

  it.each([
    [{}, 'Bearer realm="mcp-gateway"'],
    [{ authorization: `Bearer ${FIRST}x` }, 'Bearer realm="mcp-gateway", error="invalid_token"'],
    [{ authorization: `Bearer ${FIRST.slice(0, -1)}` }, 'Bearer realm="mcp-gateway", error="invalid_token"'],
    [{ authorization: `Bearer ${FIRST} ${FIRST}` }, 'Bearer realm="mcp-gateway", error="invalid_request"'],
    [{ authorization: 'Bearer ' }, 'Bearer realm="mcp-gateway", error="invalid_request"'],
    [{ authorization: FIRST }, 'Bearer realm="mcp-gateway", error="invalid_request"'],
    [{ authorization: `Token ${FIRST}` }, 'Bearer realm="mcp-gateway", error="invalid_request"'],
  ])('answers %j with 401 and the challenge %s, never quoting a token', (headers, challenge) => {
    const result = createBearerAuth([FIRST])(requestWith(headers));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.rejection.status).toBe(401);
    expect(result.rejection.headers).toEqual({ 'WWW-Authenticate': challenge });
    expect(JSON.stringify(result.rejection)).not.toContain(FIRST);
  });
});

describe('describeTokenProblem', () => {
  it('accepts 16 or more token characters', () => {
    expect(describeTokenProblem('abcdefghijklmnop')).toBeUndefined();
    expect(describeTokenProblem('a1b2-c3d4.e5_f6~g7+h8/i9==')).toBeUndefined();
  });

  it.each(['', 'too-short', 'sixteen chars!!!', 'with space in the middle', 'ends=in=equals=x'])(
    'refuses %j without quoting it',
    (token) => {
      const problem = describeTokenProblem(token);
      expect(problem).toContain('16 or more characters');
      if (token !== '') expect(problem).not.toContain(token);
    },
  );
});
