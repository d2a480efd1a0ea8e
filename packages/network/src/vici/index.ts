export * from './client.js';
export * from './message-codec.js';
