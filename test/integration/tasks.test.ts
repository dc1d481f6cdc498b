/**
 * 2025-11-25 tasks through the gateway, with the SDK v1 client (which speaks them) and a 2025 backend that runs
 * tools as tasks: task-augmented `tools/call`, `tasks/get|result|list|cancel`, status notifications and a task's
 * own elicitation, all under the gateway's task ids and bound to the session that created the task; a tool that
 * runs only as a task works for callers that know nothing of tasks.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CallToolResultSchema,
  CancelTaskResultSchema,
  CreateTaskResultSchema,
  ElicitRequestSchema,
  GetTaskResultSchema,
  ListTasksResultSchema,
  RELATED_TASK_META_KEY,
  TaskStatusNotificationSchema,
  type Task,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { fixtureServer, writeServersConfig, type HttpGateway } from '../helpers/gateway-process.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';

describe('2025-11-25 tasks through the gateway', () => {
  const sandbox = useProcessSandbox('tasks-');
  let gateway: HttpGateway;
  const clients: Client[] = [];

  beforeAll(async () => {
    const config = await writeServersConfig(sandbox.dir, {
      tasks: fixtureServer('tasks-2025.mjs', { env: sandbox.env }),
      echo: fixtureServer('echo.mjs', { env: sandbox.env }),
    });
    gateway = await sandbox.startHttp(['--auto-register', config]);
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  /** A v1 client session that records the task statuses it hears and answers elicitations with `answer`. */
  async function connect(
    answer = 'forty-two',
  ): Promise<{ client: Client; statuses: Task[]; asked: unknown[] }> {
    const client = new Client(
      { name: 'tasks-test', version: '1.0.0' },
      { capabilities: { elicitation: {} } },
    );
    const statuses: Task[] = [];
    const asked: unknown[] = [];
    client.setNotificationHandler(TaskStatusNotificationSchema, (notification) => {
      statuses.push(notification.params);
    });
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      asked.push(request.params);
      return { action: 'accept', content: { answer } };
    });
    await client.connect(new StreamableHTTPClientTransport(gateway.url));
    clients.push(client);
    return { client, statuses, asked };
  }

  /** Calls `tool` of the tasks fixture as a task; returns the task as the gateway names it. */
  async function startTask(client: Client, tool: string, args: Record<string, unknown>): Promise<Task> {
    const created = await client.request(
      { method: 'tools/call', params: { name: `tasks__${tool}`, arguments: args, task: { ttl: 60_000 } } },
      CreateTaskResultSchema,
    );
    return created.task;
  }

  async function until<T>(read: () => T | undefined | Promise<T | undefined>): Promise<T> {
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it('advertises tasks and lists each tool with its task support', async () => {
    const { client } = await connect();
    expect(client.getServerCapabilities()?.tasks).toEqual({
      list: {},
      cancel: {},
      requests: { tools: { call: {} } },
    });
    const { tools } = await client.listTools();
    const support = Object.fromEntries(
      tools
        .filter((tool) => tool.name.startsWith('tasks__'))
        .map((tool) => [tool.name, tool.execution?.taskSupport]),
    );
    expect(support).toMatchObject({
      tasks__sleep_task: 'optional',
      tasks__required_task: 'required',
      tasks__plain: 'forbidden',
    });
  });

  it('runs a call as a task under the gateway id: status notifications, tasks/get, tasks/result, tasks/list', async () => {
    const { client, statuses } = await connect();
    const task = await startTask(client, 'sleep_task', { ms: 30, text: 'hello' });
    expect(task.taskId).toMatch(/^tasks\./);
    expect(task.status).toBe('working');

    const result = await client.request(
      { method: 'tasks/result', params: { taskId: task.taskId } },
      CallToolResultSchema,
    );
    expect(result.content).toEqual([{ type: 'text', text: 'slept 30 ms: hello' }]);
    expect(result._meta?.[RELATED_TASK_META_KEY]).toEqual({ taskId: task.taskId });

    const got = await client.request(
      { method: 'tasks/get', params: { taskId: task.taskId } },
      GetTaskResultSchema,
    );
    expect(got).toMatchObject({ taskId: task.taskId, status: 'completed' });
    const completed = await until(() => statuses.find((status) => status.status === 'completed'));
    expect(completed.taskId).toBe(task.taskId);

    const listed = await client.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
    expect(listed.tasks.map((listedTask) => [listedTask.taskId, listedTask.status])).toEqual([
      [task.taskId, 'completed'],
    ]);
  });

  it("keeps a session's tasks from every other session", async () => {
    const owner = await connect();
    const other = await connect();
    const task = await startTask(owner.client, 'sleep_task', { ms: 0, text: 'mine' });
    await expect(
      other.client.request({ method: 'tasks/get', params: { taskId: task.taskId } }, GetTaskResultSchema),
    ).rejects.toThrow(`Unknown task "${task.taskId}"`);
    await expect(
      other.client.request({ method: 'tasks/result', params: { taskId: task.taskId } }, CallToolResultSchema),
    ).rejects.toMatchObject({ code: -32602 });
    const listed = await other.client.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
    expect(listed.tasks).toEqual([]);
    expect(other.statuses).toEqual([]);
  });

  it("brings a task's own question to the client on tasks/result, under the gateway id", async () => {
    const { client, asked } = await connect('blue');
    const task = await startTask(client, 'ask_task', { question: 'Which colour?' });
    const result = await client.request(
      { method: 'tasks/result', params: { taskId: task.taskId } },
      CallToolResultSchema,
    );
    expect(result.content).toEqual([{ type: 'text', text: 'answer: blue' }]);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({
      message: 'Which colour?',
      _meta: { [RELATED_TASK_META_KEY]: { taskId: task.taskId } },
    });
  });

  it('cancels a task, and reports a failed one as the backend did', async () => {
    const { client } = await connect();
    const long = await startTask(client, 'sleep_task', { ms: 60_000, text: 'never' });
    const cancelled = await client.request(
      { method: 'tasks/cancel', params: { taskId: long.taskId } },
      CancelTaskResultSchema,
    );
    expect(cancelled).toMatchObject({ taskId: long.taskId, status: 'cancelled' });

    const failing = await startTask(client, 'failing_task', {});
    const result = await client.request(
      { method: 'tasks/result', params: { taskId: failing.taskId } },
      CallToolResultSchema,
    );
    expect(result).toMatchObject({ isError: true, content: [{ type: 'text', text: 'the job failed' }] });
    const got = await client.request(
      { method: 'tasks/get', params: { taskId: failing.taskId } },
      GetTaskResultSchema,
    );
    expect(got.status).toBe('failed');
  });

  it('runs a tool that runs only as a task for callers that know nothing of tasks', async () => {
    const { client } = await connect();
    const direct = await client.callTool({ name: 'tasks__required_task', arguments: { text: 'plain call' } });
    expect(direct.content).toEqual([{ type: 'text', text: 'done: plain call' }]);
    expect(direct._meta?.[RELATED_TASK_META_KEY]).toBeUndefined();
    const viaGateway = await client.callTool({
      name: 'call_backend',
      arguments: { server: 'tasks', tool: 'required_task', params: { text: 'via call_backend' } },
    });
    expect(viaGateway.isError).toBeFalsy();
    expect(viaGateway.content).toEqual([{ type: 'text', text: 'done: via call_backend' }]);
    // Those tasks are the gateway's own: the session does not see them.
    const listed = await client.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
    expect(listed.tasks).toEqual([]);
  });

  it('answers a task-augmented call to a backend without tasks with the plain result', async () => {
    const { client } = await connect();
    const result = await client.request(
      { method: 'tools/call', params: { name: 'echo__echo', arguments: { text: 'at once' }, task: {} } },
      CallToolResultSchema,
    );
    expect(result.content).toEqual([{ type: 'text', text: 'at once' }]);
  });
});
