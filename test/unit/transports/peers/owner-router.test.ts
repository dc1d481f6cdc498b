/**
 * Two HTTP front doors in this process that know each other as cluster peers: a session's request that reaches the
 * other one is passed to its owner and answered, a forged hop header is refused, and once the owner is gone its
 * sessions get 404 at once. A replica its peers cannot find yet opens no session until they can.
 */
import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { ownerOfRequestState } from '../../../../src/gateway/calls/request-state-owner.js';
import type { PeerRouting } from '../../../../src/transports/peers/peer-routing.js';
import { FakeBackend, FakeDirectory, textResult } from '../../../helpers/fake-directory.js';
import { jsonHeaders, jsonRpcMessages, openRawSession, rawRequest } from '../../../helpers/http-gateway.js';
import { useInProcessHttp } from '../../../helpers/in-process-http.js';

const serve = useInProcessHttp();

describe('front doors routing to the owner of a session', () => {
  it('pass a request to the owner, refuse a forged hop, and answer 404 once the owner is gone', async () => {
    const hopKey = randomBytes(32);
    const urls = new Map<string, string>();
    const routing = (self: string): PeerRouting => ({
      self,
      hopKey,
      urlOf: (id) => Promise.resolve(urls.get(id)),
      ownerOfState: ownerOfRequestState,
    });
    const echo = () => new FakeBackend('echo', { tools: { say: () => textResult('said') } });
    const a = await serve(new FakeDirectory([echo()]), { sessionIdPrefix: 'ra', peers: routing('ra') });
    const b = await serve(new FakeDirectory([echo()]), { sessionIdPrefix: 'rb', peers: routing('rb') });
    urls.set('ra', a.handle.url).set('rb', b.handle.url);
    const id = await openRawSession(a.url);
    const headers = jsonHeaders({ 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' });
    const call = JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'echo__say' },
    });

    const forwarded = await rawRequest(b.url, { headers, body: call });
    const forged = await rawRequest(b.url, {
      headers: { ...headers, 'mcp-gateway-forwarded': 'rb;AAAA' },
      body: call,
    });
    const unknownOwner = await rawRequest(b.url, {
      headers: { ...headers, 'mcp-session-id': 'rz.00000000-0000-4000-8000-000000000000' },
      body: call,
    });
    await a.handle.close();
    const started = performance.now();
    const ownerGone = await rawRequest(b.url, { headers, body: call });

    expect(id.startsWith('ra.')).toBe(true);
    expect(forwarded.status).toBe(200);
    expect(jsonRpcMessages(forwarded)).toEqual([
      { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'said' }] } },
    ]);
    expect(forged.status).toBe(403);
    expect(unknownOwner.status).toBe(404);
    expect(ownerGone.status).toBe(404);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('opens no session before its peers can find it, while requests for existing sessions pass', async () => {
    const hopKey = randomBytes(32);
    const urls = new Map<string, string>();
    let markJoined = (): void => undefined;
    const joined = new Promise<void>((resolve) => (markJoined = resolve));
    const routing = (self: string, gate?: Promise<void>): PeerRouting => ({
      self,
      hopKey,
      urlOf: (id) => Promise.resolve(urls.get(id)),
      ownerOfState: ownerOfRequestState,
      joined: gate,
    });
    const echo = () => new FakeBackend('echo', { tools: { say: () => textResult('said') } });
    const a = await serve(new FakeDirectory([echo()]), { sessionIdPrefix: 'ra', peers: routing('ra') });
    const b = await serve(new FakeDirectory([echo()]), {
      sessionIdPrefix: 'rb',
      peers: routing('rb', joined),
    });
    urls.set('ra', a.handle.url).set('rb', b.handle.url);
    const onA = await openRawSession(a.url);
    const headers = jsonHeaders({ 'mcp-session-id': onA, 'mcp-protocol-version': '2025-11-25' });
    const call = JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'echo__say' },
    });

    let opened: string | undefined;
    const opening = openRawSession(b.url).then((id) => (opened = id));
    const forwarded = await rawRequest(b.url, { headers, body: call });
    const openedBeforeJoin = opened;
    markJoined();
    await opening;

    expect(forwarded.status).toBe(200);
    expect(openedBeforeJoin).toBeUndefined();
    expect(opened?.startsWith('rb.')).toBe(true);
  });
});
