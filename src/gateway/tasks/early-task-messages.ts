/**
 * Task status notifications that come before their task is known. A backend may send a task's status right after the
 * result that created it, and the gateway learns the task (and its owner) only once that result has come through
 * its call path. Such a notification is held, briefly and in bounded number, and delivered to the owner once the
 * task is adopted; never passed on under the backend's id, which no client knows. One that no adoption claims (a
 * task the gateway created for itself, a caller that went away) is dropped when its time is up.
 */
import type { BackendMessage } from '../../shared/backend.js';
import { taskNamedBy } from './task-messages.js';
import { gatewayTaskId } from './task-owners.js';

/** How long a notification waits for its task. */
export const EARLY_TASK_MESSAGE_MS = 5000;
/** How many notifications are held at most; past this the oldest is dropped. */
export const MAX_EARLY_TASK_MESSAGES = 200;

/** The held notifications, by the gateway id their task will have. */
export class EarlyTaskMessages {
  private readonly held = new Map<string, { readonly message: BackendMessage; readonly until: number }[]>();
  private count = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  /** Holds `notification` when it is a task status (of a task not adopted yet: ask first); says whether it did. */
  holdStatus(backend: string, notification: BackendMessage): boolean {
    const taskId =
      notification.method === 'notifications/tasks/status' ? taskNamedBy(notification) : undefined;
    if (taskId !== undefined) this.hold(backend, taskId, notification);
    return taskId !== undefined;
  }

  /** Holds `message` of `backend` about its task `backendTaskId`. */
  hold(backend: string, backendTaskId: string, message: BackendMessage): void {
    this.prune();
    if (this.count >= MAX_EARLY_TASK_MESSAGES) this.dropOldest();
    const key = gatewayTaskId(backend, backendTaskId);
    const list = this.held.get(key) ?? [];
    list.push({ message, until: this.clock() + EARLY_TASK_MESSAGE_MS });
    this.held.set(key, list);
    this.count += 1;
  }

  /** The notifications held for the task `backendTaskId` of `backend`, in the order they came; forgets them. */
  take(backend: string, backendTaskId: string): BackendMessage[] {
    const key = gatewayTaskId(backend, backendTaskId);
    const list = this.held.get(key);
    if (!list) return [];
    this.held.delete(key);
    this.count -= list.length;
    const now = this.clock();
    return list.filter((entry) => entry.until > now).map((entry) => entry.message);
  }

  private prune(): void {
    const now = this.clock();
    for (const [key, list] of this.held) {
      const kept = list.filter((entry) => entry.until > now);
      this.count -= list.length - kept.length;
      if (kept.length === 0) this.held.delete(key);
      else if (kept.length < list.length) this.held.set(key, kept);
    }
  }

  private dropOldest(): void {
    const [key, list] = this.held.entries().next().value ?? [];
    if (key === undefined || !list) return;
    list.shift();
    this.count -= 1;
    if (list.length === 0) this.held.delete(key);
  }
}
