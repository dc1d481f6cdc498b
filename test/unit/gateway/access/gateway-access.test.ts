/**
 * Access rules in a gateway core, in process (a real SDK client over an in-memory transport, fake backends; the
 * client is the stdio principal `local`): what `tools/list` shows, that a refused pipeline reaches no backend, that
 * a hidden server cannot be removed or restarted, that the registration tools need a grant, and that new rules
 * apply to the open session, which is told.
 */
import { afterEach, describe, expect, it } from 'vitest';

import type { AccessRules } from '../../../../src/gateway/access/access-rules.js';
import { createGateway } from '../../../../src/gateway/create-gateway.js';
import { silentLogger } from '../../../../src/logger.js';
import { PipelineCatalog } from '../../../../src/pipelines/pipeline-catalog.js';
import { createRegistrationPolicy } from '../../../../src/backends/registration/registration-policy.js';
import {
  closeInMemoryGateways,
  connectInMemory,
  IN_MEMORY_BASE_DIR,
} from '../../../helpers/connect-in-memory.js';
import { FakeBackend, FakeDirectory, textResult } from '../../../helpers/fake-directory.js';
import { textOf } from '../../../helpers/text-of.js';

afterEach(closeInMemoryGateways);

const RULES: AccessRules = {
  rules: [
    {
      name: 'me',
      match: { principals: ['local'] },
      allow: { tools: ['echo.*', 'db.read'], pipelines: ['custom'] },
      deny: { tools: ['echo.secret'] },
    },
  ],
};

async function connect(access: AccessRules | undefined) {
  const echo = new FakeBackend('echo', {
    tools: { say: textResult('said'), secret: textResult('the secret') },
  });
  const db = new FakeBackend('db', { tools: { read: textResult('rows'), drop: textResult('dropped') } });
  const hidden = new FakeBackend('hidden', { tools: { anything: textResult('seen') } });
  const directory = new FakeDirectory([echo, db, hidden]);
  const gateway = createGateway({
    directory,
    pipelines: new PipelineCatalog(),
    baseDir: IN_MEMORY_BASE_DIR,
    logger: silentLogger,
    registration: createRegistrationPolicy({ enabled: true, logger: silentLogger }),
    access,
  });
  const session = await connectInMemory(directory, { gateway });
  const names = async () => (await session.client.listTools()).tools.map((tool) => tool.name).sort();
  return { ...session, gateway, directory, echo, db, hidden, names };
}

describe('a gateway with access rules', () => {
  it('lists only the tools the rules allow, and no registration tool without a grant', async () => {
    const { names } = await connect(RULES);
    expect(await names()).toEqual([
      'call_backend',
      'db__read',
      'echo__say',
      'list_servers',
      'route_pipeline',
      'search_tools',
    ]);
  });

  it('lists everything without an access section', async () => {
    const { names } = await connect(undefined);
    expect(await names()).toContain('register_server');
    expect(await names()).toContain('hidden__anything');
  });

  it('refuses a pipeline whole when one step is outside the rights: no backend is called', async () => {
    const { callTool, echo, db } = await connect(RULES);
    const result = await callTool('route_pipeline', {
      scenario: 'custom',
      steps: [
        { id: 'a', server: 'echo', tool: 'say' },
        { id: 'b', server: 'db', tool: 'drop', after: ['a'] },
      ],
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('pipeline "custom" refused whole, no step ran: step "b" (db.drop)');
    expect(echo.calls).toEqual([]);
    expect(db.calls).toEqual([]);
  });

  it('treats a hidden server as unknown to remove_server and restart_server, once they are granted', async () => {
    const granted: AccessRules = {
      rules: [
        ...RULES.rules,
        {
          name: 'admin',
          match: { principals: ['local'] },
          allow: { gatewayTools: ['remove_server', 'restart_server'] },
        },
      ],
    };
    const { callTool, directory, names } = await connect(granted);
    expect(await names()).toEqual(expect.arrayContaining(['remove_server', 'restart_server']));
    const removed = await callTool('remove_server', { name: 'hidden' });
    expect(removed.isError).toBe(true);
    expect(textOf(removed)).toBe('unknown server "hidden"; registered: echo, db');
    expect(directory.removals).toEqual([]);
    const restarted = await callTool('restart_server', { name: 'hidden' });
    expect(textOf(restarted)).toBe('unknown server "hidden"; registered: echo, db');
    expect(directory.restarts).toEqual([]);
  });

  it('puts new rules in force for the open session, and tells it', async () => {
    const { gateway, names, told, listChanges, callTool } = await connect(RULES);
    const before = listChanges();
    gateway.setAccess({
      rules: [{ name: 'all', match: { principals: ['*'] }, allow: { servers: ['hidden'] } }],
    });
    await told(before + 1);
    expect(await names()).toEqual(['call_backend', 'hidden__anything', 'list_servers', 'search_tools']);
    expect(textOf(await callTool('hidden__anything'))).toBe('seen');
    gateway.setAccess(undefined);
    expect(await names()).toContain('register_server');
  });

  it('lets only the principals granted restart_server operate the dashboard', async () => {
    const rules: AccessRules = {
      rules: [
        {
          name: 'ops',
          match: { principals: ['ops'] },
          allow: { servers: ['*'], gatewayTools: ['restart_server'] },
        },
        { name: 'users', match: { principals: ['corp:*'] }, allow: { servers: ['echo'] } },
      ],
    };
    const { gateway } = await connect(rules);
    const identity = (principal: string) =>
      ({ principal, frontDoor: 'http-legacy', sessionId: undefined }) as const;

    expect(gateway.operatorRefusal(identity('ops'))).toBeUndefined();
    expect(gateway.operatorRefusal(identity('corp:alice'))).toMatch(
      /^access denied: principal "corp:alice" may not call .*restart_server/,
    );
    expect((await connect(undefined)).gateway.operatorRefusal(identity('anyone'))).toBeUndefined();
  });
});
