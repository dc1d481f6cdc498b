/**
 * DNS-rebinding protection: a browser tricked into sending requests to the gateway (a page whose host name
 * resolves to 127.0.0.1, or a cross-site request) gives itself away by its `Host` or `Origin` header. Host names
 * are compared without their port: the SDK transport's own `allowedHosts` compares `host:port` strings, which
 * breaks on port 0 and behind proxies.
 */
import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';

import { AUTH_TOKEN_ENV, type AuthToken } from './bearer-auth.js';
import type { Rejection } from './http-responses.js';

/** Host names that are always allowed: the loopback names, on any port. */
export const LOOPBACK_HOSTNAMES: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** Options of {@link createHostCheck}. */
export interface HostCheckOptions {
  /** Host names allowed besides the loopback ones (normalized by {@link normalizeAllowedHost}). */
  readonly allowedHosts?: readonly string[] | undefined;
  /** Origins allowed besides loopback ones (normalized by {@link normalizeAllowedOrigin}). */
  readonly allowedOrigins?: readonly string[] | undefined;
  /** The address the server binds: allowed as a host name too unless it is a wildcard address. */
  readonly bindHost?: string | undefined;
}

// `name` or `[v6]`, then an optional port. Anything else (userinfo, a path, spaces) is not a Host header.
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/;
const HOST_NAME = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/;
const WILDCARD_ADDRESSES = new Set(['', '0.0.0.0', '::', '[::]']);

/** Whether binding `host` exposes the server to this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackAddress(host: string): boolean {
  const bare = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost') return true;
  if (isIPv4(bare)) return bare.startsWith('127.');
  if (isIPv6(bare)) return bare === '::1' || bare === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(bare);
  return false;
}

/**
 * The canonical form of a host name given by the operator: lower case, IPv6 in brackets, no port.
 *
 * @throws Error saying what a host name must look like.
 */
export function normalizeAllowedHost(value: string): string {
  const lower = value.trim().toLowerCase();
  const name = isIPv6(lower) ? `[${lower}]` : lower;
  if (!HOST_NAME.test(name)) {
    throw new Error(`"${value}" is not a host name; give names without a port, e.g. mcp.example.com`);
  }
  return name;
}

/**
 * The canonical form of an origin given by the operator: `scheme://host[:port]`, as a browser sends it.
 *
 * @throws Error saying what an origin must look like.
 */
export function normalizeAllowedOrigin(value: string): string {
  const origin = parseOrigin(value.trim());
  const url = origin === undefined ? undefined : new URL(value.trim());
  if (
    origin === undefined ||
    url === undefined ||
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== ''
  ) {
    throw new Error(`"${value}" is not an origin; give scheme://host[:port], e.g. https://app.example.com`);
  }
  return origin;
}

/** Builds the check run on every request before anything else reads it. */
export function createHostCheck(
  options: HostCheckOptions = {},
): (req: IncomingMessage) => Rejection | undefined {
  const hosts = new Set([...LOOPBACK_HOSTNAMES, ...(options.allowedHosts ?? [])]);
  const bindHost = options.bindHost?.trim().toLowerCase();
  if (bindHost !== undefined && !WILDCARD_ADDRESSES.has(bindHost)) hosts.add(normalizeAllowedHost(bindHost));
  const origins = new Set(options.allowedOrigins ?? []);

  return (req) => {
    const hostname = hostnameOf(req.headers.host);
    if (hostname === undefined || !hosts.has(hostname)) {
      return forbidden(
        hostname === undefined
          ? 'Forbidden: missing or malformed Host header'
          : `Forbidden: host "${hostname}" is not allowed (see --allowed-hosts)`,
      );
    }
    const originHeader = req.headers.origin;
    if (originHeader === undefined) return undefined;
    const origin = parseOrigin(originHeader);
    if (origin !== undefined && (isLoopbackOrigin(origin) || origins.has(origin))) return undefined;
    return forbidden('Forbidden: origin not allowed (see --allowed-origins)');
  };
}

function hostnameOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = HOST_HEADER.exec(header.toLowerCase());
  return match?.[1];
}

/** `scheme://host[:port]` of an http(s) origin, or undefined for `null`, other schemes and garbage. */
function parseOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return url.origin;
}

function isLoopbackOrigin(origin: string): boolean {
  return LOOPBACK_HOSTNAMES.includes(new URL(origin).hostname);
}

function forbidden(message: string): Rejection {
  return { status: 403, message };
}

/**
 * Why the gateway must not serve as asked, or undefined: an HTTP listener on an address other hosts can reach
 * needs a bearer token, or anyone who reaches it could start commands on this machine.
 */
export function describeExposureProblem(
  transport: string,
  host: string,
  authTokens: readonly AuthToken[],
  oauth = false,
): string | undefined {
  if (transport !== 'streamable-http' || authTokens.length > 0 || oauth || isLoopbackAddress(host))
    return undefined;
  return `--host ${host} is not a loopback address: set --auth-token or ${AUTH_TOKEN_ENV}, or an "auth" section in the config file, as well`;
}
