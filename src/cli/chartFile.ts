/** Moved to src/plot/chartFile.ts (plans write charts too, and must not import the CLI). */
export * from '../plot/chartFile.js';
