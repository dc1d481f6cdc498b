/**
 * A backend for unit tests of the gateway: tools and requests are functions the test controls, every call, request
 * and notification it receives is recorded, and it can send requests and notifications of its own up to the
 * gateway, through the upward handler of the directory it belongs to (see `fake-directory.ts`).
 */
import { prettifyError, z, type ZodType } from 'zod';

import type { CallToolResult, ServerCapabilities, TaskMetadata, Tool } from '@modelcontextprotocol/server';
import { GatewayError } from '../../src/errors/gateway-error.js';
import { plainMessage, ProtocolError } from '../../src/errors/protocol-error.js';
import type {
  Backend,
  BackendCallOptions,
  BackendMessage,
  BackendSubscriptions,
  UpwardHandler,
} from '../../src/shared/backend.js';
import type { BackendInfo, BackendState } from '../../src/shared/backend-info.js';
import type { ToolFilter } from '../../src/shared/tool-filter.js';

/** Where a backend's own requests and notifications go: the directory's upward handler, once a gateway attached. */
export interface UpwardSource {
  readonly upwardHandler: UpwardHandler | undefined;
}

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

/**
 * What a fake tool does when called: return (or resolve to) a result, or throw (or reject). A thrown `ProtocolError`
 * is the backend's own JSON-RPC error (see {@link FakeRequestHandler}).
 */
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

/**
 * How a fake answers one request method (`resources/list`, `prompts/get`...): return (or resolve to) the result, or
 * throw (or reject). A thrown `ProtocolError` is the backend's own JSON-RPC error, which reaches the gateway as a
 * real backend's does (a `backend_error` caused by it); a `GatewayError` is passed on as it is.
 */
export type FakeRequestHandler = (
  params: Record<string, unknown>,
  options: BackendCallOptions | undefined,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

/** One request (other than a tool call) a backend received, exactly as it received it. */
export interface RecordedRequest {
  readonly method: string;
  readonly params: Record<string, unknown> | undefined;
  readonly options: BackendCallOptions | undefined;
}

/** How a {@link FakeBackend} starts out. */
export interface FakeBackendOptions {
  /** Tool name to its behaviour; a plain result is returned as it is on every call. */
  readonly tools?: Readonly<Record<string, FakeToolHandler | CallToolResult>>;
  /** Tool name to fields its listing has besides the defaults (`_meta`, `description`...). */
  readonly definitions?: Readonly<Record<string, Partial<Tool>>>;
  /** What it says it can do while ready; default `{ tools: {} }`, a tools-only server. */
  readonly capabilities?: ServerCapabilities;
  /** Request method to its behaviour; a method without one is answered with an error, as before. */
  readonly requests?: Readonly<Record<string, FakeRequestHandler>>;
  readonly state?: BackendState;
  readonly description?: string;
  readonly command?: string;
  /** Fields of `info()` to report instead of the ones derived from the fake's state. */
  readonly info?: Partial<BackendInfo>;
  /** Prefix of its exposed tool names; default its name. */
  readonly prefix?: string;
  /** Its config's `tools` filter; default none. */
  readonly toolFilter?: ToolFilter;
}

/** A backend whose tools are functions the test controls. */
export class FakeBackend implements Backend {
  state: BackendState;
  readonly timeoutMs = 10_000;
  readonly toolFilter: ToolFilter | undefined;
  readonly prefix: string;
  readonly calls: RecordedCall[] = [];
  /** Every request it received other than tool calls, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Every notification the gateway sent it while ready, in order. */
  readonly notifications: BackendMessage[] = [];
  /** The directory it was added to, whose upward handler hears what it sends on its own. */
  directory: UpwardSource | undefined;
  private readonly handlers = new Map<string, FakeToolHandler>();
  private readonly listings = new Map<string, Partial<Tool>>();
  private readonly requestHandlers = new Map<string, FakeRequestHandler>();
  private readonly declaredCapabilities: ServerCapabilities;
  private readonly description: string;
  private readonly command: string;
  private readonly infoOverrides: Partial<BackendInfo>;
  /** Subscriptions reach the fake as the requests a 2025 backend gets, one per session (no counting of holders). */
  readonly resources: BackendSubscriptions = {
    subscribe: (uri, _holder, options) => this.tell('resources/subscribe', uri, options),
    unsubscribe: (uri, _holder, options) => this.tell('resources/unsubscribe', uri, options),
    release: () => undefined,
  };

  constructor(
    readonly name: string,
    options: FakeBackendOptions = {},
  ) {
    this.state = options.state ?? 'ready';
    this.prefix = options.prefix ?? name;
    this.toolFilter = options.toolFilter;
    this.description = options.description ?? '';
    this.command = options.command ?? `fake-${name}`;
    this.infoOverrides = options.info ?? {};
    this.declaredCapabilities = options.capabilities ?? { tools: {} };
    for (const [tool, behaviour] of Object.entries(options.tools ?? {})) {
      this.setTool(tool, behaviour, options.definitions?.[tool]);
    }
    for (const [method, handler] of Object.entries(options.requests ?? {})) this.setRequest(method, handler);
  }

  /** What it was given (a tools-only server by default), while ready. */
  capabilities(): ServerCapabilities | undefined {
    return this.state === 'ready' ? this.declaredCapabilities : undefined;
  }

  /**
   * Answers with the handler given for the method, its result checked against `resultSchema` as a real backend's
   * is; a method without a handler is refused with an error.
   */
  private async tell(method: string, uri: string, options?: BackendCallOptions): Promise<void> {
    await this.request({ method, params: { uri } }, z.looseObject({}), options);
  }

  async request<T>(
    request: BackendMessage,
    resultSchema: ZodType<T>,
    options?: BackendCallOptions,
  ): Promise<T> {
    this.requests.push({ method: request.method, params: request.params, options });
    const handler = this.requestHandlers.get(request.method);
    if (!handler) {
      throw new GatewayError('backend_error', `${this.name}: the fake answers only tool calls`);
    }
    const backend = this.name;
    const failed = (why: string, cause?: unknown): GatewayError =>
      new GatewayError('backend_error', `${backend} ${request.method} failed: ${why}`, { backend, cause });
    let result: Record<string, unknown>;
    try {
      result = await handler(request.params ?? {}, options);
    } catch (error) {
      // As `request-exchange.ts` reports a backend's failure: a ProtocolError cause is its own JSON-RPC error.
      throw error instanceof GatewayError ? error : failed(plainMessage(error), error);
    }
    const parsed = resultSchema.safeParse(result);
    if (!parsed.success) throw failed(`invalid result: ${prettifyError(parsed.error)}`);
    return parsed.data;
  }

  /** Records the notification, when ready (a real backend ignores notifications until then). */
  notify(notification: BackendMessage): Promise<void> {
    if (this.state === 'ready') this.notifications.push(notification);
    return Promise.resolve();
  }

  /** Adds or replaces the handler of a request method. */
  setRequest(method: string, handler: FakeRequestHandler): void {
    this.requestHandlers.set(method, handler);
  }

  /** Sends a notification up to the gateway, as a backend does on its own (log messages, resource updates...). */
  sendNotification(notification: BackendMessage): void {
    this.upward().notification(this.name, notification);
  }

  /**
   * Sends a request up to the gateway (sampling, elicitation, roots) and resolves with the client's answer, as the
   * gateway hands it back; rejects as the gateway does when no client can answer.
   */
  sendRequest(
    request: BackendMessage,
    signal: AbortSignal = new AbortController().signal,
  ): Promise<Record<string, unknown>> {
    return this.upward().request(this.name, request, signal);
  }

  /** Adds or replaces a tool, listed with `definition`'s fields besides the defaults. */
  setTool(tool: string, behaviour: FakeToolHandler | CallToolResult, definition: Partial<Tool> = {}): void {
    this.handlers.set(tool, typeof behaviour === 'function' ? behaviour : () => behaviour);
    this.listings.set(tool, definition);
  }

  /** The tools it lists: none until it is ready, as with a backend whose handshake has not completed. */
  tools(): readonly Tool[] {
    if (this.state !== 'ready') return [];
    return [...this.handlers.keys()].map((name) => ({
      name,
      description: `${name} of ${this.name}`,
      inputSchema: { type: 'object' },
      ...this.listings.get(name),
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
    // A handler that throws synchronously rejects the returned promise, as an async backend would; a ProtocolError
    // it throws is the backend's own JSON-RPC error, reported as `request-exchange.ts` reports one.
    return new Promise<CallToolResult>((resolve) => resolve(handler(args, options))).catch(
      (error: unknown) => {
        if (!(error instanceof ProtocolError)) throw error;
        throw new GatewayError('backend_error', `${this.name}.${tool} failed: ${error.message}`, {
          backend: this.name,
          tool,
          cause: error,
        });
      },
    );
  }
  /** A fake runs no tasks: it answers a task-augmented call at once, as a backend without tasks does. */
  callToolAsTask(
    tool: string,
    args: Record<string, unknown>,
    _task: TaskMetadata,
    options?: BackendCallOptions,
  ): Promise<CallToolResult> {
    return this.callTool(tool, args, options);
  }

  private upward(): UpwardHandler {
    const handler = this.directory?.upwardHandler;
    if (!handler) throw new Error(`${this.name} is in no directory that serves a gateway`);
    return handler;
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
