export * from './artifact-store.port.js';
export * from './artifact-store.factory.js';
export { FileArtifactStore } from './file-artifact-store.adapter.js';
export { S3ArtifactStore, type S3ArtifactStoreOptions } from './s3-artifact-store.adapter.js';
export { s3ClientConfigFromEnv, s3ClientConfigWithDefaults } from './s3-client.config.js';
export { Sha256Hasher, sha256Hex, sha256OfStream } from './sha256.util.js';
export { artifactKey, isSha256Hex, sha256FromKey } from './artifact-key.util.js';
