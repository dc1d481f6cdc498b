import { describe, expect, it } from 'vitest';

import {
  EARLY_TASK_MESSAGE_MS,
  EarlyTaskMessages,
  MAX_EARLY_TASK_MESSAGES,
} from '../../../src/gateway/tasks/early-task-messages.js';

const status = (taskId: string, state: string) => ({
  method: 'notifications/tasks/status',
  params: { taskId, status: state },
});

describe('EarlyTaskMessages', () => {
  it('gives a task its held statuses in order, once', () => {
    const early = new EarlyTaskMessages(() => 0);
    early.hold('db', 't1', status('t1', 'working'));
    early.hold('db', 't2', status('t2', 'working'));
    early.hold('db', 't1', status('t1', 'completed'));
    expect(early.take('db', 't1')).toEqual([status('t1', 'working'), status('t1', 'completed')]);
    expect(early.take('db', 't1')).toEqual([]);
    // Another backend's task of the same id is another task.
    expect(early.take('web', 't2')).toEqual([]);
    expect(early.take('db', 't2')).toEqual([status('t2', 'working')]);
  });

  it('drops what waited too long, and the oldest past the bound', () => {
    let now = 0;
    const early = new EarlyTaskMessages(() => now);
    early.hold('db', 'old', status('old', 'working'));
    now += EARLY_TASK_MESSAGE_MS;
    expect(early.take('db', 'old')).toEqual([]);

    for (let i = 0; i <= MAX_EARLY_TASK_MESSAGES; i++) early.hold('db', `t${i}`, status(`t${i}`, 'working'));
    expect(early.take('db', 't0')).toEqual([]);
    expect(early.take('db', 't1')).toHaveLength(1);
    expect(early.take('db', `t${MAX_EARLY_TASK_MESSAGES}`)).toHaveLength(1);
  });
});
