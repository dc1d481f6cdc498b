import { describe, expect, it } from 'vitest';

import {
  createHostCheck,
  isLoopbackAddress,
  normalizeAllowedHost,
  normalizeAllowedOrigin,
} from '../../../../src/transports/http/host-check.js';
import { requestWith } from './request.js';

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1'])(
    'counts %s as loopback',
    (host) => expect(isLoopbackAddress(host)).toBe(true),
  );

  it.each(['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.com', 'localhost.example.com', '128.0.0.1'])(
    'does not count %s as loopback',
    (host) => expect(isLoopbackAddress(host)).toBe(false),
  );
});

describe('normalizing what the operator allows', () => {
  it('lower-cases host names and brackets IPv6 addresses', () => {
    expect(normalizeAllowedHost(' MCP.Example.com ')).toBe('mcp.example.com');
    expect(normalizeAllowedHost('fd00::1')).toBe('[fd00::1]');
  });

  it.each(['mcp.example.com:443', 'https://mcp.example.com', 'a b', ''])('refuses the host %j', (value) => {
    expect(() => normalizeAllowedHost(value)).toThrow(/not a host name/);
  });

  it('reduces an origin to scheme://host[:port] as browsers send it', () => {
    expect(normalizeAllowedOrigin('https://App.Example.com/')).toBe('https://app.example.com');
    expect(normalizeAllowedOrigin('https://app.example.com:443')).toBe('https://app.example.com');
    expect(normalizeAllowedOrigin('http://app.example.com:8080')).toBe('http://app.example.com:8080');
  });

  it.each(['app.example.com', 'https://app.example.com/x', 'https://u:p@app.example.com', 'ftp://x', 'null'])(
    'refuses the origin %j',
    (value) => expect(() => normalizeAllowedOrigin(value)).toThrow(/not an origin/),
  );
});

describe('createHostCheck', () => {
  const check = createHostCheck({
    allowedHosts: ['mcp.example.com'],
    allowedOrigins: ['https://app.example.com'],
    bindHost: '127.0.0.1',
  });

  it.each([
    { host: 'localhost:3000' },
    { host: '127.0.0.1' },
    { host: '[::1]:1' },
    { host: 'mcp.example.com:8443' },
    { host: '127.0.0.1', origin: 'http://localhost:5173' },
    { host: '127.0.0.1', origin: 'https://app.example.com' },
  ])('lets %j through', (headers) => {
    expect(check(requestWith(headers))).toBeUndefined();
  });

  it.each([
    {},
    { host: '' },
    { host: 'evil.example.com' },
    { host: 'evil.example.com@127.0.0.1' },
    { host: '127.0.0.1.evil.example.com' },
    { host: 'localhost:3000 ' },
    { host: '127.0.0.1', origin: 'http://evil.example.com' },
    { host: '127.0.0.1', origin: 'null' },
    { host: '127.0.0.1', origin: 'http://app.example.com' },
  ])('answers 403 to %j', (headers) => {
    expect(check(requestWith(headers))?.status).toBe(403);
  });

  it('allows the address it binds, unless that is a wildcard', () => {
    expect(
      createHostCheck({ bindHost: '192.0.2.7' })(requestWith({ host: '192.0.2.7:8003' })),
    ).toBeUndefined();
    expect(createHostCheck({ bindHost: '0.0.0.0' })(requestWith({ host: '0.0.0.0' }))?.status).toBe(403);
  });
});
