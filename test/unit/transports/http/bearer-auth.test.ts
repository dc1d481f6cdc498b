import { describe, expect, it } from 'vitest';

import {
  createBearerAuth,
  describeTokenProblem,
  describeTokensProblem,
  parseAuthToken,
  tokenNames,
} from '../../../../src/transports/http/bearer-auth.js';
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

describe('named tokens', () => {
  it('reads name=token, and a token alone (trailing padding is no name)', () => {
    expect(parseAuthToken(`ci=${FIRST}`)).toEqual({ name: 'ci', token: FIRST });
    expect(parseAuthToken(FIRST)).toBe(FIRST);
    expect(parseAuthToken(`${FIRST}==`)).toBe(`${FIRST}==`);
    expect(parseAuthToken(`ci=${FIRST}=`)).toEqual({ name: 'ci', token: `${FIRST}=` });
  });

  it('gives a named token its name as principal, and an unnamed one token-<index>', () => {
    const auth = createBearerAuth([{ name: 'alice', token: FIRST }, SECOND]);
    expect(auth(requestWith({ authorization: `Bearer ${FIRST}` }))).toEqual({ ok: true, principal: 'alice' });
    expect(auth(requestWith({ authorization: `Bearer ${SECOND}` }))).toEqual({
      ok: true,
      principal: 'token-1',
    });
    expect(tokenNames([{ name: 'alice', token: FIRST }, SECOND])).toEqual(['alice', 'token-1']);
  });

  it('refuses a bad name, a name given twice and a bad named token, never quoting a token', () => {
    expect(
      describeTokensProblem([
        { name: 'a', token: FIRST },
        { name: 'b', token: SECOND },
      ]),
    ).toBeUndefined();
    const badName = describeTokensProblem([parseAuthToken(`no spaces=${FIRST}`)]);
    expect(badName).toMatch(/^token #1: a name must be letters/);
    expect(badName).not.toContain('no spaces');
    expect(
      describeTokensProblem([
        { name: 'a', token: FIRST },
        { name: 'a', token: SECOND },
      ]),
    ).toBe('token name "a" is given twice: each token needs its own');
    const short = describeTokensProblem([{ name: 'ci', token: 'short' }]);
    expect(short).toMatch(/^\(token "ci"\) must be 16 or more characters/);
    expect(short).not.toContain('short"');
  });
});
