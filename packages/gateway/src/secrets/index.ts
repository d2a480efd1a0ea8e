export * from './aws-provider.js';
export * from './create-secrets-provider.js';
export * from './env-provider.js';
export * from './file-provider.js';
export type * from './provider.js';
export * from './resolve.js';
