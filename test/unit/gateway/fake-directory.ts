/**
 * An in-memory `UpstreamDirectory` for unit tests of the gateway: upstreams whose tools are functions the test
 * controls, and records of every call and of the options it received.
 */
import { EventEmitter } from 'node:events';

import type { CallToolResult, ServerCapabilities, Tool } from '@modelcontextprotocol/sdk/types.js';

import type { ServerConfig } from '../../../src/backends/server-config.js';
import { GatewayError } from '../../../src/errors.js';
import type {
  Upstream,
  UpstreamCallOptions,
  UpstreamDirectory,
  UpstreamInfo,
  UpstreamState,
  UpwardHandler,
} from '../../../src/gateway/upstream.js';

/** A promise together with the functions that settle it. */
export interface Deferred<T = void> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

/** Creates a {@link Deferred}. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((resolvePromise, rejectPromise) => {
    resolve = resolvePromise;
    reject = rejectPromise;
  });
  return { promise, resolve, reject };
}

/** A text-only tool result. */
export function textResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }] };
}

/** What a fake tool does when called: return (or resolve to) a result, or throw (or reject). */
export type FakeToolHandler = (
  args: Record<string, unknown>,
  options: UpstreamCallOptions | undefined,
) => CallToolResult | Promise<CallToolResult>;

/** One call an upstream received, exactly as it received it. */
export interface RecordedCall {
  readonly tool: string;
  readonly args: Record<string, unknown>;
  readonly options: UpstreamCallOptions | undefined;
}

/** How a {@link FakeUpstream} starts out. */
export interface FakeUpstreamOptions {
  /** Tool name to its behaviour; a plain result is returned as it is on every call. */
  readonly tools?: Readonly<Record<string, FakeToolHandler | CallToolResult>>;
  readonly state?: UpstreamState;
  readonly description?: string;
  readonly command?: string;
  /** Fields of `info()` to report instead of the ones derived from the fake's state. */
  readonly info?: Partial<UpstreamInfo>;
  /** Prefix of its exposed tool names; default its name. */
  readonly prefix?: string;
}

/** An upstream whose tools are functions the test controls. */
export class FakeUpstream implements Upstream {
  state: UpstreamState;
  readonly timeoutMs = 10_000;
  readonly toolFilter = undefined;
  readonly prefix: string;
  readonly calls: RecordedCall[] = [];
  private readonly handlers = new Map<string, FakeToolHandler>();
  private readonly description: string;
  private readonly command: string;
  private readonly infoOverrides: Partial<UpstreamInfo>;

  constructor(
    readonly name: string,
    options: FakeUpstreamOptions = {},
  ) {
    this.state = options.state ?? 'ready';
    this.prefix = options.prefix ?? name;
    this.description = options.description ?? '';
    this.command = options.command ?? `fake-${name}`;
    this.infoOverrides = options.info ?? {};
    for (const [tool, behaviour] of Object.entries(options.tools ?? {})) this.setTool(tool, behaviour);
  }

  /** A tools-only server, like most backends. */
  capabilities(): ServerCapabilities | undefined {
    return this.state === 'ready' ? { tools: {} } : undefined;
  }

  /** The fake answers no request but tool calls. */
  request(): Promise<never> {
    return Promise.reject(
      new GatewayError('backend_error', `${this.name}: the fake answers only tool calls`),
    );
  }

  notify(): Promise<void> {
    return Promise.resolve();
  }

  /** Adds or replaces a tool. */
  setTool(tool: string, behaviour: FakeToolHandler | CallToolResult): void {
    this.handlers.set(tool, typeof behaviour === 'function' ? behaviour : () => behaviour);
  }

  /** The tools it lists: none until it is ready, as with a backend whose handshake has not completed. */
  tools(): readonly Tool[] {
    if (this.state !== 'ready') return [];
    return [...this.handlers.keys()].map((name) => ({
      name,
      description: `${name} of ${this.name}`,
      inputSchema: { type: 'object' },
    }));
  }

  callTool(
    tool: string,
    args: Record<string, unknown>,
    options?: UpstreamCallOptions,
  ): Promise<CallToolResult> {
    this.calls.push({ tool, args, options });
    const handler = this.handlers.get(tool);
    if (!handler) {
      return Promise.reject(
        new GatewayError('unknown_tool', `${this.name} has no tool "${tool}"`, { server: this.name, tool }),
      );
    }
    // A handler that throws synchronously rejects the returned promise, as an async upstream would.
    return new Promise((resolve) => resolve(handler(args, options)));
  }

  info(): UpstreamInfo {
    const tools = this.tools().map((tool) => tool.name);
    return {
      name: this.name,
      state: this.state,
      description: this.description,
      command: this.command,
      pid: this.state === 'ready' ? 4242 : null,
      uptimeMs: this.state === 'ready' ? 61_000 : null,
      toolCount: tools.length,
      tools,
      calls: this.calls.length,
      errors: 0,
      restarts: 0,
      nextRetryAt: null,
      skippedLines: 0,
      lastError: null,
      ...this.infoOverrides,
    };
  }
}

/** One `register` call the directory received. */
export interface RecordedRegistration {
  readonly name: string;
  readonly config: ServerConfig;
  readonly options: { baseDir: string };
}

/** What `register` does; the default adds a ready {@link FakeUpstream} with no tools. */
export type RegisterBehaviour = (
  name: string,
  config: ServerConfig,
  options: { baseDir: string },
) => Upstream | Promise<Upstream>;

/** An in-memory directory of fake upstreams, failing like the real registry on duplicate and unknown names. */
export class FakeDirectory extends EventEmitter implements UpstreamDirectory {
  upwardHandler: UpwardHandler | undefined;
  readonly registrations: RecordedRegistration[] = [];
  readonly removals: string[] = [];
  /** Replace to control what `register` creates or how it fails. */
  onRegister: RegisterBehaviour = (name, config) =>
    new FakeUpstream(name, { description: config.description ?? '', command: config.command });
  private readonly upstreams = new Map<string, Upstream>();

  constructor(upstreams: readonly Upstream[] = []) {
    super();
    for (const upstream of upstreams) this.add(upstream);
  }

  setUpwardHandler(handler: UpwardHandler): void {
    this.upwardHandler = handler;
  }

  /** Adds an upstream directly, as if it had been registered. */
  add<T extends Upstream>(upstream: T): T {
    this.upstreams.set(upstream.name, upstream);
    this.emit('changed');
    return upstream;
  }

  get(name: string): Upstream | undefined {
    return this.upstreams.get(name);
  }

  list(): Upstream[] {
    return [...this.upstreams.values()];
  }

  describeNames(): string {
    return [...this.upstreams.keys()].join(', ') || 'none';
  }

  async register(name: string, config: ServerConfig, options: { baseDir: string }): Promise<Upstream> {
    this.registrations.push({ name, config, options });
    if (this.upstreams.has(name)) {
      throw new GatewayError('duplicate_server', `a server named "${name}" is already registered`, {
        server: name,
      });
    }
    const upstream = await this.onRegister(name, config, options);
    this.upstreams.set(name, upstream);
    this.emit('changed');
    return upstream;
  }

  remove(name: string): Promise<void> {
    this.removals.push(name);
    const removed = this.upstreams.delete(name);
    if (removed) this.emit('changed');
    if (!removed) {
      return Promise.reject(
        new GatewayError('unknown_server', `no server named "${name}"; registered: ${this.describeNames()}`, {
          server: name,
        }),
      );
    }
    return Promise.resolve();
  }
}
