// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import globals from 'globals';
import unicorn from 'eslint-plugin-unicorn';
import tseslint from 'typescript-eslint';

/**
 * Which layer may import which (an arrow means "may import"): cli → {start-gateway, commands, config, logger};
 * start-gateway (with observability.ts, running-gateway.ts and open-dashboard.ts, the rest of the composition root) → every part; reload → {backends, config, pipelines}; transports → {rpc, errors, logger};
 * auth → {transports (the front door's types), logger}; observe → {shared, errors, logger}; cluster → {backends, shared, errors, logger}; dashboard → {shared, errors, logger, the HTTP front door's guards}; gateway → {rpc, shared, pipelines, pins, errors};
 * commands → {backends, config, pipelines, pins, shared, errors}; pins → {shared, errors, logger};
 * backends → {rpc, shared, errors} (backends/oauth → {shared, errors, logger}, nothing of connections); pipelines → {errors}; config → the parts' schema files; rpc → {errors, logger};
 * shared → {errors}; errors and logger → nothing. Every zone below is one "may not".
 */
const SRC_LAYERS = [
  './src/cli.ts',
  './src/cli',
  './src/start-gateway.ts',
  './src/observability.ts',
  './src/running-gateway.ts',
  './src/reload',
  './src/index.ts',
  './src/commands',
  './src/transports',
  './src/dashboard',
  './src/auth',
  './src/observe',
  './src/cluster',
  './src/gateway',
  './src/backends',
  './src/pipelines',
  './src/pins',
  './src/config',
  './src/rpc',
  './src/shared',
];

/** Every layer but the ones named. */
function layersBut(...allowed) {
  return SRC_LAYERS.filter((layer) => !allowed.includes(layer));
}

/**
 * Zones saying that `target` may import none of `from`, but for single files of some layers (`exceptions`, keyed by
 * layer, file paths relative to it): the rule reads `except` relative to each `from`, so each such layer gets a
 * zone of its own.
 */
function mayNotImport(target, from, message, exceptions = {}) {
  const plain = from.filter((layer) => !(layer in exceptions));
  return [
    ...(plain.length > 0 ? [{ target, from: plain, message }] : []),
    ...Object.entries(exceptions).map(([layer, except]) => ({ target, from: layer, except, message })),
  ];
}

const zones = [
  ...mayNotImport(
    ['./src/cli.ts', './src/cli'],
    layersBut('./src/cli', './src/start-gateway.ts', './src/commands', './src/config'),
    'The command line reaches the parts through the composition root (start-gateway.ts).',
  ),
  ...mayNotImport(
    './src/reload',
    layersBut('./src/reload', './src/backends', './src/config', './src/pipelines', './src/shared'),
    'A reload changes the registry and the pipelines; what else it changes comes as callbacks.',
    { './src/gateway': ['./expose-mode.ts'] },
  ),
  ...mayNotImport(
    './src/commands',
    [
      './src/cli.ts',
      './src/start-gateway.ts',
      './src/index.ts',
      './src/transports',
      './src/gateway',
      './src/rpc',
    ],
    'A subcommand works on files and backends, not on a running gateway.',
  ),
  ...mayNotImport(
    './src/transports',
    layersBut('./src/transports', './src/rpc'),
    'A front door knows sessions and its protocol, nothing of backends or of the gateway itself.',
  ),
  ...mayNotImport(
    './src/dashboard',
    layersBut('./src/dashboard', './src/shared'),
    "The dashboard sees the gateway through the sources it is handed, and reuses only the front door's guards.",
    { './src/transports': ['./http/bearer-auth.ts', './http/host-check.ts', './http/http-responses.ts'] },
  ),
  ...mayNotImport(
    './src/auth',
    layersBut('./src/auth', './src/transports'),
    'The resource server knows the front door it guards (its types) and OAuth, nothing of the gateway.',
  ),
  ...mayNotImport(
    './src/observe',
    layersBut('./src/observe', './src/shared'),
    'Watchers (the audit log, the limits) know the gateway only through the observation seam in src/shared.',
  ),
  ...mayNotImport(
    './src/cluster',
    layersBut('./src/cluster', './src/backends', './src/shared'),
    'The cluster shares the runtime registry through Redis; it wraps the backend registry and knows no gateway.',
  ),
  ...mayNotImport(
    './src/gateway',
    layersBut('./src/gateway', './src/rpc', './src/shared', './src/pipelines', './src/pins'),
    'The gateway reaches backends through the seam in src/shared, never their implementation.',
    { './src/backends': ['./server-config.ts'], './src/config': ['./format-issues.ts'] },
  ),
  ...mayNotImport(
    './src/backends',
    layersBut('./src/backends', './src/rpc', './src/shared'),
    'Backends know nothing of the gateway, its front doors or its config file.',
  ),
  ...mayNotImport(
    './src/backends/oauth',
    [
      ...layersBut('./src/backends', './src/shared'),
      './src/backends/connection',
      './src/backends/exchange',
      './src/backends/process',
      './src/backends/registration',
    ],
    'The OAuth client of remote backends knows its settings, its store and the SDK; a connection is handed its provider.',
  ),
  ...mayNotImport(
    './src/pins',
    layersBut('./src/pins', './src/shared'),
    'Pins know their state file and definitions; the gateway and the pins command use them, not the other way round.',
  ),
  ...mayNotImport(
    './src/pipelines',
    layersBut('./src/pipelines'),
    'Pipelines reach backends only through the StepCaller they are given.',
  ),
  ...mayNotImport(
    './src/config',
    layersBut('./src/config', './src/shared'),
    "The config file is composed of its parts' schemas and nothing else of them.",
    {
      './src/backends': ['./server-config.ts'],
      './src/pipelines': ['./pipelines-section.ts', './pipeline-schema.ts'],
      './src/gateway': ['./expose-mode.ts'],
      './src/observe': ['./audit-config.ts', './limits-config.ts'],
      './src/auth': ['./auth-config.ts', './access-config.ts'],
    },
  ),
  ...mayNotImport(
    './src/rpc',
    layersBut('./src/rpc'),
    'The fast path sits below its users: the gateway plugs its dispatch in; rpc/ imports neither.',
  ),
  ...mayNotImport(
    './src/shared',
    layersBut('./src/shared'),
    'Seam types and small utilities shared by several layers import no layer.',
    { './src/backends': ['./server-config.ts'] },
  ),
  ...mayNotImport(
    ['./src/errors', './src/logger.ts'],
    [...SRC_LAYERS, './src/logger.ts', './src/version.ts'],
    'Errors and the logger are the bottom layer.',
  ),
];

/** The SDK's wire error codes and error class: only src/errors/ (and the HTTP front door's refusals) use them. */
const SDK_ERROR_IMPORTS = ['@modelcontextprotocol/server', '@modelcontextprotocol/client'].map((name) => ({
  name,
  importNames: ['ProtocolError', 'ProtocolErrorCode'],
  message: 'Errors reach the wire through src/errors/to-wire.ts: throw a GatewayError with a code instead.',
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/results/', 'data/', 'examples/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true } },
    plugins: { unicorn, 'import-x': importX },
    settings: {
      // Source imports name the compiled `.js` file: resolve them to the `.ts` beside it, or no rule sees them.
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.js', '.mjs', '.json'],
          extensionAlias: { '.js': ['.ts', '.js'] },
        }),
      ],
    },
    rules: {
      'no-console': 'error',
      'unicorn/filename-case': ['error', { case: 'kebabCase' }],
      'unicorn/prefer-node-protocol': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      // Runtime cycles; test/unit/architecture.test.ts also refuses cycles through type imports.
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { zones }],
      'no-restricted-imports': ['error', { paths: SDK_ERROR_IMPORTS }],
    },
  },
  {
    // The wire mapping itself, and the HTTP front door's refusals (which are HTTP answers, not MCP errors).
    files: ['src/errors/**', 'src/transports/http/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/gateway/**', 'src/pipelines/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node:child_process', message: 'Only backends/process/child-transport.ts spawns.' },
            { name: 'node:http', message: 'HTTP belongs to transports/.' },
            { name: 'execa', message: 'Only backends/process/child-transport.ts spawns.' },
            ...SDK_ERROR_IMPORTS,
          ],
        },
      ],
    },
  },
  {
    files: ['src/logger.ts', 'bench/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Example and fixture servers speak MCP on stdout: only stderr is theirs to write.
    files: ['examples/**', 'test/fixtures/**'],
    rules: { 'no-console': ['error', { allow: ['error'] }] },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  prettier,
);
