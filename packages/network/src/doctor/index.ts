export * from './app-probe.js';
export * from './doctor.js';
