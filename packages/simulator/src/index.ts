export * from './control-api.js';
export type * from './counters.js';
export type * from './dialect.js';
export * from './faults.js';
export * from './latency.js';
export * from './ledger.js';
export * from './msisdn.js';
export * from './simulators.js';
export * from './whitelist.js';
