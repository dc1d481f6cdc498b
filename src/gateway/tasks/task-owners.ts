/**
 * The tasks clients created through the gateway (2025-11-25 task-augmented `tools/call`), each with the backend
 * that runs it and the session that created it. A client sees a task under the gateway's id for it,
 * `<backend>.<backend's task id>`: ids of two backends never collide, and the backend is known from the id alone.
 * A session reaches only its own tasks: another session's id is an unknown task to it, as the specification wants
 * tasks bound to who created them.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { SessionState } from '../hub/session-state.js';

/** One task a session created. */
export interface OwnedTask {
  /** The id the client knows. */
  readonly taskId: string;
  readonly backend: string;
  /** The id the backend knows. */
  readonly backendTaskId: string;
  readonly session: SessionState;
}

/**
 * Tasks a session keeps track of at most; past this the oldest is forgotten (its backend still has it, until its
 * ttl ends). A bound, so that a client creating tasks without end cannot grow the gateway without end.
 */
export const MAX_TASKS_PER_SESSION = 1000;

/** The gateway's id of `backendTaskId` of `backend` (server names have no "."). */
export function gatewayTaskId(backend: string, backendTaskId: string): string {
  return `${backend}.${backendTaskId}`;
}

/** The backend and its own id in a gateway task id, or undefined for an id the gateway never made. */
export function parseTaskId(taskId: string): { backend: string; backendTaskId: string } | undefined {
  const dot = taskId.indexOf('.');
  if (dot <= 0 || dot === taskId.length - 1) return undefined;
  return { backend: taskId.slice(0, dot), backendTaskId: taskId.slice(dot + 1) };
}

/** Which session owns which task. */
export class TaskOwners {
  private readonly tasks = new Map<string, OwnedTask>();
  private readonly bySession = new Map<SessionState, Set<string>>();

  /** Records that `session` created `backendTaskId` on `backend`; returns the id the client is to know. */
  adopt(session: SessionState, backend: string, backendTaskId: string): string {
    const taskId = gatewayTaskId(backend, backendTaskId);
    let owned = this.bySession.get(session);
    if (!owned) {
      owned = new Set();
      this.bySession.set(session, owned);
    }
    this.tasks.set(taskId, { taskId, backend, backendTaskId, session });
    owned.delete(taskId);
    owned.add(taskId);
    if (owned.size > MAX_TASKS_PER_SESSION) {
      const oldest = owned.values().next().value as string;
      owned.delete(oldest);
      this.tasks.delete(oldest);
    }
    return taskId;
  }

  /**
   * The task `taskId` of `session`.
   *
   * @throws GatewayError `invalid_input` (InvalidParams on the wire) for a task this session did not create.
   */
  find(session: SessionState, taskId: string): OwnedTask {
    const task = this.tasks.get(taskId);
    if (task?.session === session) return task;
    throw new GatewayError(
      'invalid_input',
      `Unknown task "${taskId}": this session created no task with that id (tasks/list shows its tasks)`,
    );
  }

  /** Who owns the task `backendTaskId` of `backend`, if a session does. */
  ownerOf(backend: string, backendTaskId: string): OwnedTask | undefined {
    return this.tasks.get(gatewayTaskId(backend, backendTaskId));
  }

  /** The tasks of `session`, oldest first. */
  of(session: SessionState): OwnedTask[] {
    return [...(this.bySession.get(session) ?? [])].flatMap((taskId) => this.tasks.get(taskId) ?? []);
  }

  /** Forgets a task its backend no longer knows. */
  drop(task: OwnedTask): void {
    this.tasks.delete(task.taskId);
    this.bySession.get(task.session)?.delete(task.taskId);
  }

  /** Forgets the tasks of a session that closed: no other session may reach them. */
  forget(session: SessionState): void {
    for (const taskId of this.bySession.get(session) ?? []) this.tasks.delete(taskId);
    this.bySession.delete(session);
  }
}
