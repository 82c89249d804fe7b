/** Moved to the library (src/core/outcomeScale.ts): preparation belongs to analyse(), not the CLI. */
export * from '../core/outcomeScale.js';
