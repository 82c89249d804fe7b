/**
 * JSON Schema (draft-07) of the result document. `vru-eval schema` prints it;
 * every CLI test validates its output against it. Method-specific blocks are
 * declared here too, so one schema covers every command.
 */
import { SCHEMA_VERSION } from './result.js';

const num = { type: 'number' } as const;
const numOrNull = { type: ['number', 'null'] } as const;
const interval = {
  oneOf: [{ type: 'array', items: num, minItems: 2, maxItems: 2 }, { type: 'null' }],
} as const;
const strOrNull = { type: ['string', 'null'] } as const;

const effectRow = {
  type: 'object',
  required: ['att', 'se', 'ci'],
  properties: { att: numOrNull, se: numOrNull, ci: interval, pValue: numOrNull },
} as const;

export const RESULT_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: `https://vru-eval.invalid/schema/result-${SCHEMA_VERSION}.json`,
  title: 'vru-eval result document',
  description:
    'One document per estimating command. Numbers are full precision; null where a quantity does not apply (never NaN). Intervals are [lower, upper] at estimate.level.',
  type: 'object',
  required: ['schemaVersion', 'tool', 'command', 'method', 'input', 'options', 'estimate', 'path', 'units', 'diagnostics', 'warnings'],
  properties: {
    schemaVersion: { const: SCHEMA_VERSION },
    tool: {
      type: 'object',
      required: ['name', 'version'],
      properties: { name: { const: 'vru-eval' }, version: { type: 'string' } },
      additionalProperties: false,
    },
    command: { type: 'string' },
    method: { type: 'string' },
    input: {
      description: 'The panel read (null for commands that read no panel, e.g. cba from flags).',
      oneOf: [
        {
          type: 'object',
          required: ['file', 'sha256', 'rows', 'units', 'periods', 'frequency'],
          properties: {
            file: { type: 'string' },
            sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', description: "SHA-256 of the panel's canonical content (sorted cells of the used columns): row order, quoting and line endings do not change it." },
            rows: { type: 'integer' },
            units: { type: 'integer' },
            periods: { type: 'integer' },
            frequency: { enum: ['monthly', 'quarterly', 'annual', 'integer'] },
          },
        },
        { type: 'object', required: ['files'], properties: { files: { type: 'array' } } },
        { type: 'null' },
      ],
    },
    options: { type: 'object', required: ['seed'], description: 'Every resolved option, defaults made explicit.' },
    estimate: {
      oneOf: [
        {
          type: 'object',
          required: ['att', 'se', 'ci', 'level', 'pValue', 'inference', 'cumulative'],
          properties: {
            att: numOrNull,
            se: numOrNull,
            ci: interval,
            level: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
            pValue: { type: ['number', 'null'], minimum: 0, maximum: 1 },
            inference: { type: 'string' },
            cumulative: {
              oneOf: [
                { type: 'object', required: ['value', 'ci'], properties: { value: numOrNull, ci: interval } },
                { type: 'null' },
              ],
            },
          },
        },
        { type: 'null' },
      ],
    },
    path: {
      type: 'array',
      items: {
        type: 'object',
        required: ['period', 'observed', 'counterfactual', 'effect', 'ci', 'cumulative', 'cumulativeCi'],
        properties: {
          period: { type: 'string' },
          observed: numOrNull,
          counterfactual: numOrNull,
          effect: numOrNull,
          ci: interval,
          cumulative: numOrNull,
          cumulativeCi: interval,
        },
      },
    },
    units: {
      type: 'array',
      items: {
        type: 'object',
        required: ['unit', 'att', 'preRmspe', 'weights'],
        properties: {
          unit: { type: 'string' },
          att: numOrNull,
          preRmspe: numOrNull,
          weights: { oneOf: [{ type: 'object', additionalProperties: num }, { type: 'null' }] },
        },
      },
    },
    diagnostics: {
      type: 'array',
      items: {
        type: 'object',
        required: ['code', 'passed', 'value', 'message'],
        properties: {
          code: { type: 'string' },
          passed: { type: ['boolean', 'null'] },
          value: { type: ['number', 'string', 'null'] },
          message: { type: 'string' },
          table: { type: 'array', items: { type: 'object' } },
        },
        additionalProperties: false,
      },
    },
    warnings: {
      type: 'array',
      items: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' } },
        additionalProperties: false,
      },
    },
    eventPath: {
      description: 'Effect by periods since each unit’s start (event time 0 = first treated period).',
      type: 'array',
      items: {
        type: 'object',
        required: ['eventTime', 'effect', 'ci'],
        properties: { eventTime: { type: 'integer' }, effect: numOrNull, se: numOrNull, ci: interval, n: { type: 'integer' } },
      },
    },
    coefficients: {
      type: 'array',
      items: {
        type: 'object',
        required: ['term', 'estimate', 'se', 'ci', 'pValue'],
        properties: {
          term: { type: 'string' },
          estimate: numOrNull,
          se: numOrNull,
          ci: interval,
          pValue: numOrNull,
          rateRatio: numOrNull,
          rateRatioCi: interval,
        },
      },
    },
    attGt: {
      type: 'array',
      items: {
        type: 'object',
        required: ['group', 'period', 'att', 'se'],
        properties: { group: { type: 'string' }, period: { type: 'string' }, att: numOrNull, se: numOrNull, ci: interval },
      },
    },
    aggregations: {
      type: 'object',
      properties: { simple: effectRow, dynamic: effectRow, group: effectRow, calendar: effectRow },
    },
    counts: {
      description: 'Effects converted to counts (e.g. offences avoided) using the population column.',
      type: 'object',
      properties: {
        population: strOrNull,
        ratePer: numOrNull,
        offencesAvoided: numOrNull,
        se: numOrNull,
        ci: interval,
        cells: { type: 'integer' },
        definition: { type: 'string' },
      },
    },
    outcomes: { type: 'array', items: { type: 'object' } },
    totals: { type: 'object' },
    bcr: { type: 'object', properties: { estimate: numOrNull, low: numOrNull, high: numOrNull } },
    details: { type: 'object' },
    source: { type: ['string', 'object', 'null'] },
    label: strOrNull,
  },
} as const;
