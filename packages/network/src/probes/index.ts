export * from './cloudwatch-probe.js';
export * from './tcp-probe.js';
export * from './tunnel-monitor.js';
export * from './vici-probe.js';
