// Two projects: `unit` (pure logic, no infrastructure) and `integration` (the real Kafka
// broker and PostgreSQL, started once per run by the global setup). Tests run from the
// TypeScript sources through swc; `@hookstream/*` resolves to each package's src.
const shared = {
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  moduleNameMapper: { '^@hookstream/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts' },
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.tools/'],
  testEnvironment: 'node',
};

module.exports = {
  // Integration tests wait on a real broker; unit tests finish far sooner.
  testTimeout: 120000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      rootDir: __dirname,
      testMatch: ['<rootDir>/{packages,services}/*/src/**/*.test.ts'],
      testPathIgnorePatterns: [...shared.testPathIgnorePatterns, '\\.integration\\.test\\.ts$'],
    },
    {
      ...shared,
      displayName: 'integration',
      rootDir: __dirname,
      testMatch: ['<rootDir>/{packages,services}/*/src/**/*.integration.test.ts'],
      globalSetup: '<rootDir>/packages/testkit/dist/jest-global-setup.js',
      globalTeardown: '<rootDir>/packages/testkit/dist/jest-global-teardown.js',
    },
  ],
};
