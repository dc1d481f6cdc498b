/**
 * An in-memory `BackendDirectory` for unit tests of the gateway: backends whose tools are functions the test
 * controls, and records of every call and of the options it received.
 */
import { EventEmitter } from 'node:events';

import type { CallToolResult, ServerCapabilities, Tool } from '@modelcontextprotocol/sdk/types.js';

import type { ServerConfig } from '../../src/backends/server-config.js';
import { GatewayError } from '../../src/errors/gateway-error.js';
import type {
  Backend,
  BackendCallOptions,
  BackendDirectory,
  UpwardHandler,
} from '../../src/shared/backend.js';
import type { BackendInfo, BackendState } from '../../src/shared/backend-info.js';

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
  options: BackendCallOptions | undefined,
) => CallToolResult | Promise<CallToolResult>;

/** One call a backend received, exactly as it received it. */
export interface RecordedCall {
  readonly tool: string;
  readonly args: Record<string, unknown>;
  readonly options: BackendCallOptions | undefined;
}

/** How a {@link FakeBackend} starts out. */
export interface FakeBackendOptions {
  /** Tool name to its behaviour; a plain result is returned as it is on every call. */
  readonly tools?: Readonly<Record<string, FakeToolHandler | CallToolResult>>;
  readonly state?: BackendState;
  readonly description?: string;
  readonly command?: string;
  /** Fields of `info()` to report instead of the ones derived from the fake's state. */
  readonly info?: Partial<BackendInfo>;
  /** Prefix of its exposed tool names; default its name. */
  readonly prefix?: string;
}

/** A backend whose tools are functions the test controls. */
export class FakeBackend implements Backend {
  state: BackendState;
  readonly timeoutMs = 10_000;
  readonly toolFilter = undefined;
  readonly prefix: string;
  readonly calls: RecordedCall[] = [];
  private readonly handlers = new Map<string, FakeToolHandler>();
  private readonly description: string;
  private readonly command: string;
  private readonly infoOverrides: Partial<BackendInfo>;

  constructor(
    readonly name: string,
    options: FakeBackendOptions = {},
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
    options?: BackendCallOptions,
  ): Promise<CallToolResult> {
    this.calls.push({ tool, args, options });
    const handler = this.handlers.get(tool);
    if (!handler) {
      return Promise.reject(
        new GatewayError('unknown_tool', `${this.name} has no tool "${tool}"`, { backend: this.name, tool }),
      );
    }
    // A handler that throws synchronously rejects the returned promise, as an async backend would.
    return new Promise((resolve) => resolve(handler(args, options)));
  }

  info(): BackendInfo {
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

/** What `register` does; the default adds a ready {@link FakeBackend} with no tools. */
export type RegisterBehaviour = (
  name: string,
  config: ServerConfig,
  options: { baseDir: string },
) => Backend | Promise<Backend>;

/** An in-memory directory of fake backends, failing like the real registry on duplicate and unknown names. */
export class FakeDirectory extends EventEmitter implements BackendDirectory {
  upwardHandler: UpwardHandler | undefined;
  readonly registrations: RecordedRegistration[] = [];
  readonly removals: string[] = [];
  readonly restarts: string[] = [];
  /** Replace to control what `register` creates or how it fails. */
  onRegister: RegisterBehaviour = (name, config) =>
    new FakeBackend(name, { description: config.description ?? '', command: config.command });
  private readonly backends = new Map<string, Backend>();

  constructor(backends: readonly Backend[] = []) {
    super();
    for (const backend of backends) this.add(backend);
  }

  attachUpwardHandler(handler: UpwardHandler): () => void {
    if (this.upwardHandler) throw new Error('this directory already serves a gateway');
    this.upwardHandler = handler;
    return () => {
      if (this.upwardHandler === handler) this.upwardHandler = undefined;
    };
  }

  /** Adds a backend directly, as if it had been registered. */
  add<T extends Backend>(backend: T): T {
    this.backends.set(backend.name, backend);
    this.emit('changed');
    return backend;
  }

  get(name: string): Backend | undefined {
    return this.backends.get(name);
  }

  list(): Backend[] {
    return [...this.backends.values()];
  }

  describeNames(): string {
    return [...this.backends.keys()].join(', ') || 'none';
  }

  async register(name: string, config: ServerConfig, options: { baseDir: string }): Promise<Backend> {
    this.registrations.push({ name, config, options });
    if (this.backends.has(name)) {
      throw new GatewayError('duplicate_server', `a server named "${name}" is already registered`, {
        backend: name,
      });
    }
    const backend = await this.onRegister(name, config, options);
    this.backends.set(name, backend);
    this.emit('changed');
    return backend;
  }

  /** Records the restart; the fake backend stays the same object, as the registry's does. */
  restart(name: string): Promise<Backend> {
    this.restarts.push(name);
    const backend = this.backends.get(name);
    if (!backend) {
      return Promise.reject(
        new GatewayError('unknown_server', `no server named "${name}"; registered: ${this.describeNames()}`, {
          backend: name,
        }),
      );
    }
    return Promise.resolve(backend);
  }

  remove(name: string): Promise<void> {
    this.removals.push(name);
    const removed = this.backends.delete(name);
    if (removed) this.emit('changed');
    if (!removed) {
      return Promise.reject(
        new GatewayError('unknown_server', `no server named "${name}"; registered: ${this.describeNames()}`, {
          backend: name,
        }),
      );
    }
    return Promise.resolve();
  }
}

/** The options a recorded call received; fails when there were none. */
export function optionsOf(call: RecordedCall | undefined): BackendCallOptions {
  if (!call?.options) throw new Error(`expected a call with options, got ${JSON.stringify(call)}`);
  return call.options;
}

/** Resolves when the signal is aborted (at once if it already is). */
export function aborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return Promise.reject(new Error('no signal was passed'));
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** A fake tool that waits until its call is cancelled, then rejects as a real backend does. */
export function waitForCancellation(started: () => void): FakeToolHandler {
  return async (_args, options) => {
    started();
    await aborted(options?.signal);
    throw new GatewayError('cancelled', 'the call was cancelled');
  };
}
