/** Moved to the library (src/estimators/scmOptions.ts) so that analyse() and plans need not import the CLI. */
export * from '../../estimators/scmOptions.js';
