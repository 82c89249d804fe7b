/** Moved to src/core/tool.ts (the library's analysisDocument() needs it too). */
export { toolInfo } from '../core/tool.js';
