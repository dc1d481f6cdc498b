/**
 * The requests a backend serves (tool calls, tasks, any other request, notifications), built on one exchanger
 * that its owner provides: readiness, the timeout, cancellation and error rules live there. Kept apart from the
 * lifecycle (`managed-backend.ts`), which decides when the exchanger can reach a connection.
 */
import type { ZodType } from 'zod';

import type {
  CallToolResult,
  CreateTaskResult,
  ServerCapabilities,
  TaskMetadata,
} from '@modelcontextprotocol/server';
import type { BackendCallOptions, BackendMessage } from '../shared/backend.js';
import type { BackendState } from '../shared/backend-info.js';
import type { BackendConnection } from './connection/connection.js';
import { parseWith } from './exchange/request-exchange.js';
import { callTool, startToolTask, type Exchanger } from './exchange/tool-call.js';
import { ToolList } from './tool-list.js';

/** A backend's requests, over the exchanger and connection of its subclass. */
export abstract class BackendRequests {
  protected readonly toolList = new ToolList();
  protected callCount = 0;
  protected errorCount = 0;

  abstract get name(): string;
  abstract get state(): BackendState;
  /** The current connection, while there is one. */
  protected abstract currentConnection(): BackendConnection | undefined;
  /** Readiness, then the exchange. */
  protected abstract readonly send: Exchanger;

  /**
   * Calls one of the backend's tools and returns its result unchanged (content, structuredContent, isError). The
   * timeout restarts on every progress notification, up to `maxCallMs` in all.
   */
  callTool(
    tool: string,
    args: Record<string, unknown>,
    options: BackendCallOptions = {},
  ): Promise<CallToolResult> {
    this.callCount += 1;
    return callTool(this.send, this.name, tool, args, options, this.toolList.runsOnlyAsTask(tool));
  }

  /** Calls a tool as the task the caller asked for; see `Backend.callToolAsTask`. */
  callToolAsTask(
    tool: string,
    args: Record<string, unknown>,
    task: TaskMetadata,
    options: BackendCallOptions = {},
  ): Promise<CreateTaskResult | CallToolResult> {
    // A backend that runs no tools as tasks is asked for a plain call, as a receiver that does not declare tasks
    // must treat a task-augmented one.
    if (this.capabilities()?.tasks?.requests?.tools?.call === undefined)
      return this.callTool(tool, args, options);
    this.callCount += 1;
    return startToolTask(this.send, `${this.name}.${tool}`, tool, args, task, options);
  }

  /**
   * Sends any request to the backend (resources, prompts, completion...) under the same rules as a tool call:
   * the backend must be ready, the call has a timeout (reset by progress), the caller's cancellation reaches the
   * backend, and a failure is a GatewayError naming the backend and what was asked.
   */
  request<T>(
    request: BackendMessage,
    resultSchema: ZodType<T>,
    options: BackendCallOptions = {},
  ): Promise<T> {
    return this.send(request, parseWith(resultSchema), options, { label: `${this.name} ${request.method}` });
  }

  /** Sends a notification to the backend (roots changed...); ignored unless ready. */
  async notify(notification: BackendMessage): Promise<void> {
    const connection = this.currentConnection();
    if (this.state !== 'ready' || !connection) return;
    await connection.client.notification(notification);
  }

  /** What the backend said it can do in its `initialize` answer, while connected. */
  capabilities(): ServerCapabilities | undefined {
    return this.state === 'ready' ? this.currentConnection()?.client.getServerCapabilities() : undefined;
  }
}
