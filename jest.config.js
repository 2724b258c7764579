/**
 * Three jest projects, one run (`npm test`), or one at a time (`npm run test:unit|infra|integration`):
 * - unit: pure tests beside the code (and test/architecture, test/support): no Java, no emulator,
 *   no global setup. Every `*.test.ts` outside test/infra, test/integration and test/e2e is one,
 *   so a test beside the code cannot quietly start needing the engines: it would fail here.
 * - infra: the synthesized template (CDK `Template` assertions) and cdk-nag; no engines either.
 * - integration: everything that runs on DynamoDB Local and the SQS emulator (test/integration,
 *   test/e2e). Its global setup starts both engines once, and their endpoints reach the workers
 *   through environment variables; jest runs it only when an integration test is selected.
 * Type checking is `tsc --noEmit` in `npm test`; ts-jest only transpiles (isolatedModules).
 * @type {import('jest').Config}
 */
const common = {
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/quiet-sdk-notice.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true, module: 'commonjs' }, diagnostics: false }],
  },
};

const NEEDS_ENGINES = ['<rootDir>/test/integration/', '<rootDir>/test/e2e/'];

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/lambdas', '<rootDir>/lib', '<rootDir>/local', '<rootDir>/client', '<rootDir>/scripts', '<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/infra/', ...NEEDS_ENGINES],
    },
    {
      ...common,
      displayName: 'infra',
      roots: ['<rootDir>/test/infra'],
      testMatch: ['**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      roots: NEEDS_ENGINES,
      testMatch: ['**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
    },
  ],
  testTimeout: 60_000,
  // Two cores: one worker each; the integration project's engines (Java, the emulator) share them.
  maxWorkers: 2,
};
