// Jest runs the TypeScript sources directly (swc), in ESM mode, resolving workspace packages to their
// src/ through the "@airlock/source" export condition. Test files: *.spec.ts (unit) and *.int.spec.ts
// (talk to real PostgreSQL, NATS, s3rver, onnxruntime).
const ESM_ONLY_REQUIRED = ['content-disposition', 'cookie'];

export default {
  testEnvironment: '<rootDir>/test/node-realm-environment.mjs',
  testEnvironmentOptions: { customExportConditions: ['@airlock/source', 'node', 'node-addons'] },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    // ESM-only dependencies that CommonJS packages require() (fastify's static/send stack): Jest's CJS loader
    // cannot require ESM on Node 20, so swc rewrites just these to CommonJS (STACK.md, "Jest realms").
    [`/node_modules/(${ESM_ONLY_REQUIRED.join('|')})/.+\\.js$`]: ['@swc/jest', { swcrc: false, module: { type: 'commonjs' } }],
    '^.+\\.ts$': ['@swc/jest', { swcrc: true }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY_REQUIRED.join('|')})/)`],
  testMatch: ['<rootDir>/{packages,apps,test}/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  setupFiles: ['<rootDir>/test/setup.mjs'],
  globalSetup: '<rootDir>/test/global-setup.mjs',
  testTimeout: 60_000,
  maxWorkers: 2,
};
