/** The one-page HTML report of result documents. */
export { buildReport, escapeHtml, type ReportInput, type ReportOptions } from './html.js';
export { question, estimateSentences, coefficientSentences, preTrendSentence, cbaSentences, methodName } from './words.js';
