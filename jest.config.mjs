// Jest runs the TypeScript sources directly (swc), in ESM mode, resolving workspace packages to their
// src/ through the "@airlock/source" export condition. Test files: *.spec.ts (unit) and *.int.spec.ts
// (talk to real PostgreSQL, NATS, s3rver, onnxruntime).
export default {
  testEnvironment: '<rootDir>/test/node-realm-environment.mjs',
  testEnvironmentOptions: { customExportConditions: ['@airlock/source', 'node', 'node-addons'] },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['@swc/jest', { swcrc: true }] },
  testMatch: ['<rootDir>/{packages,apps,test}/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  setupFiles: ['<rootDir>/test/setup.mjs'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
