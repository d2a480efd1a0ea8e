export * from './tcp-probe.js';
export * from './tunnel-monitor.js';
export * from './vici-probe.js';
