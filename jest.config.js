/**
 * One jest run for all tests. The engines (DynamoDB Local, the SQS emulator) start once in
 * globalSetup and their endpoints reach the workers through environment variables.
 * Type checking is `tsc --noEmit` in `npm test`; ts-jest only transpiles (isolatedModules).
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/lambdas', '<rootDir>/lib', '<rootDir>/test', '<rootDir>/local', '<rootDir>/client', '<rootDir>/scripts'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true, module: 'commonjs' }, diagnostics: false }],
  },
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  testTimeout: 60_000,
  maxWorkers: 2,
};
