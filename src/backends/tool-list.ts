import type { Tool } from '@modelcontextprotocol/server';
import { plainMessage } from '../errors/protocol-error.js';
import type { Logger } from '../logger.js';
import type { BackendConnection } from './connection/connection.js';
import type { ConnectionEra } from './connection/protocol-era.js';

/**
 * A backend's tools as it last listed them, and which of them run only as tasks (`execution.taskSupport:
 * "required"`): a 2025 backend's plain call of one is run as a task by the gateway (`exchange/tool-call.ts`). A
 * 2026-07-28 backend's tasks are an extension the calling client declares itself, so none is run that way.
 */
export class ToolList {
  private tools: readonly Tool[] = [];
  private taskOnly: ReadonlySet<string> = new Set();

  /** The tools, unchanged. */
  get all(): readonly Tool[] {
    return this.tools;
  }

  /** Replaces the list with what a backend of era `era` listed. */
  set(tools: readonly Tool[], era: ConnectionEra['kind']): void {
    this.tools = tools;
    const taskOnly =
      era === 'legacy' ? tools.filter((tool) => tool.execution?.taskSupport === 'required') : [];
    this.taskOnly = new Set(taskOnly.map((tool) => tool.name));
  }

  /** Whether a plain call of `name` must be run as a task. */
  runsOnlyAsTask(name: string): boolean {
    return this.taskOnly.has(name);
  }

  /**
   * Lists the tools again (after the backend said they changed) and keeps the answer while `current` says the
   * connection is still the backend's; resolves with whether it did. A failure is logged: the old list stays.
   */
  async refresh(connection: BackendConnection, current: () => boolean, logger: Logger): Promise<boolean> {
    try {
      const tools = await connection.fetchTools();
      if (!current()) return false;
      this.set(tools, connection.protocolEra.kind);
      return true;
    } catch (error) {
      logger.warn('could not list tools after list_changed', { error: plainMessage(error) });
      return false;
    }
  }
}
