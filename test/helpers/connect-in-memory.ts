/**
 * A real SDK client connected to a gateway core over an in-memory transport: the unit tests' way in. Every
 * connection made is closed by {@link closeInMemoryGateways} (call it in `afterEach`).
 */
import { CallToolResultSchema } from '@modelcontextprotocol/core';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import type { ClientOptions, RequestOptions, CallToolResult } from '@modelcontextprotocol/client';
import { afterEach } from 'vitest';

import { createRegistrationPolicy } from '../../src/backends/registration/registration-policy.js';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import type { Pins } from '../../src/pins/pins.js';
import type { ExposeMode } from '../../src/gateway/expose-mode.js';
import { silentLogger } from '../../src/logger.js';
import { PipelineCatalog } from '../../src/pipelines/pipeline-catalog.js';
import type { BackendDirectory } from '../../src/shared/backend.js';
import type { RegistrationPolicy } from '../../src/shared/registration-policy.js';

/** The folder `register_server` resolves relative paths against in these tests. */
export const IN_MEMORY_BASE_DIR = '/srv/gateway';

/** How to build the gateway and the client. */
export interface ConnectInMemoryOptions {
  readonly pipelines?: PipelineCatalog;
  readonly expose?: ExposeMode;
  readonly registration?: RegistrationPolicy;
  readonly defaultTimeoutMs?: number;
  /** The client's options (capabilities...). */
  readonly client?: ClientOptions;
  readonly clientName?: string;
  /** Open the session on this gateway instead of a new one (a second client of the same core). */
  readonly gateway?: Gateway;
  /** The pins the gateway checks its lists against (see src/pins/); none by default. */
  readonly pins?: Pins;
  /** Skip the first `tools/list` (which makes the client check structuredContent against output schemas). */
  readonly skipListTools?: boolean;
}

/** A connected client and the gateway behind it. */
export interface InMemoryGateway {
  readonly client: Client;
  readonly gateway: Gateway;
  readonly pipelines: PipelineCatalog;
  /** Calls a tool; the result is checked against the protocol's schema. */
  readonly callTool: (
    name: string,
    args?: Record<string, unknown>,
    options?: RequestOptions,
  ) => Promise<CallToolResult>;
  /** How many times the client has been told that the tool list changed. */
  readonly listChanges: () => number;
  /** Resolves once the client has been told `count` times in all that the tool list changed. */
  readonly told: (count: number) => Promise<void>;
}

const opened: { client: Client; gateway: Gateway; owned: boolean }[] = [];

/** Connects a client to a gateway over `directory` (a new gateway unless `options.gateway` is given). */
export async function connectInMemory(
  directory: BackendDirectory,
  options: ConnectInMemoryOptions = {},
): Promise<InMemoryGateway> {
  const pipelines = options.pipelines ?? new PipelineCatalog();
  const gateway =
    options.gateway ??
    createGateway({
      directory,
      pipelines,
      baseDir: IN_MEMORY_BASE_DIR,
      logger: silentLogger,
      expose: options.expose,
      defaultTimeoutMs: options.defaultTimeoutMs,
      registration: options.registration ?? createRegistrationPolicy({ enabled: true, logger: silentLogger }),
      pins: options.pins,
    });
  const client = new Client({ name: options.clientName ?? 'unit-test', version: '1.0.0' }, options.client);
  let listChanged = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  client.setNotificationHandler('notifications/tools/list_changed', () => {
    listChanged += 1;
    for (const waiter of waiters) if (listChanged >= waiter.count) waiter.resolve();
  });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await Promise.all([client.connect(clientTransport), gateway.connect(serverTransport)]);
  opened.push({ client, gateway, owned: options.gateway === undefined });
  if (options.skipListTools !== true) await client.listTools();
  return {
    client,
    gateway,
    pipelines,
    callTool: async (name, args = {}, requestOptions) =>
      CallToolResultSchema.parse(await client.callTool({ name, arguments: args }, requestOptions)),
    listChanges: () => listChanged,
    told: (count) =>
      listChanged >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ count, resolve: () => resolve() })),
  };
}

/** Closes every client connected since the last call, and the gateways made for them. */
export async function closeInMemoryGateways(): Promise<void> {
  for (const { client, gateway, owned } of opened.splice(0).reverse()) {
    await client.close();
    if (owned) await gateway.close();
  }
}

/** The session a test file works with: `connect` opens it, the others use it; closed after each test. */
export interface CurrentSession {
  /** Connects a client to a new gateway over `directory`; returns the client. */
  readonly connect: (directory: BackendDirectory, options?: ConnectInMemoryOptions) => Promise<Client>;
  /** The connected client; throws before `connect`. */
  readonly connected: () => Client;
  /** The connected session; throws before `connect`. */
  readonly session: () => InMemoryGateway;
  /** Calls a tool on the connected session. */
  readonly callTool: (
    name: string,
    args?: Record<string, unknown>,
    options?: RequestOptions,
  ) => Promise<CallToolResult>;
}

/** One session per test, closed in `afterEach` (registered here). */
export function useInMemorySession(): CurrentSession {
  let current: InMemoryGateway | undefined;
  afterEach(async () => {
    current = undefined;
    await closeInMemoryGateways();
  });
  const session = (): InMemoryGateway => {
    if (!current) throw new Error('connect() first');
    return current;
  };
  return {
    connect: async (directory, options) => {
      current = await connectInMemory(directory, options);
      return current.client;
    },
    connected: () => session().client,
    session,
    callTool: (name, args, options) => session().callTool(name, args, options),
  };
}
