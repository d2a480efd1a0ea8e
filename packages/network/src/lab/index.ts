export * from './exec.js';
export * from './forwarder.js';
export * from './lab.js';
export * from './lab-exercise.js';
export * from './lab-plan.js';
