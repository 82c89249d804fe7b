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
  properties: {
    att: numOrNull,
    se: numOrNull,
    ci: interval,
    pValue: numOrNull,
    criticalValue: { ...numOrNull, description: 'Uniform (simultaneous) critical value of the bands in rows (multiplier bootstrap); null when not computed.' },
    rows: { type: 'array', items: { type: 'object', required: ['att', 'se', 'ci'], properties: { att: numOrNull, se: numOrNull, ci: interval, band: interval } }, description: 'Per-element estimates (event times, groups or periods); band = uniform confidence band.' },
  },
} as const;

/** cba: one outcome evaluated at its estimate or at one end of its interval. */
const cbaPoint = {
  type: 'object',
  required: ['offencesAvoided', 'adjustedOffencesAvoided', 'benefit', 'presentValue'],
  properties: { offencesAvoided: num, adjustedOffencesAvoided: num, benefit: num, presentValue: num },
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
            periodFormat: {
              type: 'object',
              description: "Present when the period column held dates read as months: the format found (ISO 2015-04-01 or day-first UK 01/04/2015) and the day every date fell on ('day 1', or 'month end').",
              required: ['format', 'day'],
              properties: { format: { enum: ['iso-date', 'uk-date'] }, day: { type: 'string' } },
            },
            cells: {
              type: 'object',
              description: 'Unit × period cells of the analysed units: total, observed (outcome present), used by the estimator, and missing (left out or imputed; see the MISSING_CELLS warning).',
              required: ['total', 'observed', 'used', 'missing'],
              properties: { total: { type: 'integer' }, observed: { type: 'integer' }, used: { type: 'integer' }, missing: { type: 'integer' } },
            },
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
            mde: {
              description: 'Present when the interval covers zero: the minimum detectable effect of this design at 80% power, so a null result reads "effects smaller than X could not be ruled out" (approximation (z_{1−α/2} + z_{0.8})·SE, SE from the interval; `vru-eval power` simulates it).',
              type: 'object',
              required: ['value', 'power', 'alpha', 'basis'],
              properties: { value: num, power: num, alpha: num, se: num, percentOfMean: numOrNull, basis: { type: 'string' } },
            },
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
          path: {
            description: "The unit's own observed series against its counterfactual (synthetic-control methods).",
            type: 'array',
            items: { type: 'object', required: ['period', 'observed', 'counterfactual', 'effect'], properties: { period: { type: 'string' }, observed: numOrNull, counterfactual: numOrNull, effect: numOrNull } },
          },
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
        properties: { eventTime: { type: 'integer' }, effect: numOrNull, se: numOrNull, ci: interval, n: { type: 'integer' }, reference: { type: 'boolean', description: 'The normalised reference period (effect 0, se and ci null).' }, band: interval },
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
        properties: { group: { type: 'string' }, period: { type: 'string' }, att: numOrNull, se: numOrNull, ci: interval, band: interval },
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
        exposure: { ...numOrNull, description: 'sdid/ascm: Σ population / ratePer over the treated post-treatment cells (offences avoided = −ATT × exposure)' },
        definition: { type: 'string' },
      },
    },
    outcomes: {
      description:
        'cba: one entry per monetised outcome. offencesAvoided is positive when offences fell (the negated effect); low / high evaluate the outcome at the end of its interval of offences avoided with fewer / more offences avoided.',
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'source', 'offencesAvoided', 'ci', 'level', 'significant', 'multiplier', 'unitCost', 'adjustedOffencesAvoided', 'benefit', 'presentValue', 'discountFactor', 'low', 'high'],
        properties: {
          name: { type: 'string' },
          source: { type: 'object', required: ['kind', 'via'], properties: { kind: { enum: ['document', 'effect-rate', 'count'] }, via: { enum: ['flags', 'spec', 'document'] }, file: { type: 'string' }, field: { type: 'string' } } },
          offencesAvoided: num,
          ci: interval,
          level: numOrNull,
          significant: { type: ['boolean', 'null'] },
          multiplier: { type: 'number', exclusiveMinimum: 0 },
          unitCost: {
            type: 'object',
            required: ['value', 'base', 'priceYear', 'uprate', 'table', 'outcomeType', 'source'],
            properties: { value: num, base: num, priceYear: strOrNull, uprate: num, table: strOrNull, outcomeType: strOrNull, source: strOrNull },
          },
          adjustedOffencesAvoided: num,
          benefit: num,
          presentValue: num,
          discountFactor: num,
          benefitShares: { oneOf: [{ type: 'array', items: { type: 'object', required: ['year', 'share'], properties: { year: { type: 'integer' }, share: num } } }, { type: 'null' }] },
          low: { oneOf: [cbaPoint, { type: 'null' }] },
          high: { oneOf: [cbaPoint, { type: 'null' }] },
        },
      },
    },
    totals: {
      description: 'cba: benefits and costs in £ (present values when any flow is dated), net benefit; *Low / *High at the interval ends (see outcomes).',
      type: 'object',
      required: ['benefits', 'benefitsLow', 'benefitsHigh', 'costs', 'netBenefit', 'netBenefitLow', 'netBenefitHigh', 'discounting'],
      properties: {
        benefits: num,
        benefitsLow: numOrNull,
        benefitsHigh: numOrNull,
        costs: { type: 'number', exclusiveMinimum: 0 },
        costsUndiscounted: num,
        costsByYear: { oneOf: [{ type: 'array', items: { type: 'object', required: ['year', 'amount'], properties: { year: { type: 'integer' }, amount: num } } }, { type: 'null' }] },
        netBenefit: num,
        netBenefitLow: numOrNull,
        netBenefitHigh: numOrNull,
        discounting: { type: 'object', required: ['applied', 'rate', 'baseYear'], properties: { applied: { type: 'boolean' }, rate: numOrNull, baseYear: { type: ['integer', 'null'] } } },
      },
    },
    bcr: {
      description: 'cba: benefit-cost ratio; low / high = the ratio with every outcome at the end of its interval with fewer / more offences avoided (low ≤ estimate ≤ high).',
      type: 'object',
      required: ['estimate', 'low', 'high'],
      properties: { estimate: numOrNull, low: numOrNull, high: numOrNull },
    },
    details: { type: 'object' },
    placebos: {
      description: 'Placebo runs of classic synthetic control: every donor as pseudo-treated (space) or a fake start (time). gaps align with path periods.',
      type: 'object',
      required: ['type', 'filter', 'units'],
      properties: {
        type: { enum: ['space', 'time'] },
        filter: numOrNull,
        units: {
          type: 'array',
          items: {
            type: 'object',
            required: ['unit', 'preRmspe', 'postRmspe', 'ratio', 'included', 'gaps'],
            properties: { unit: { type: 'string' }, preRmspe: numOrNull, postRmspe: numOrNull, ratio: numOrNull, included: { type: 'boolean' }, gaps: { type: 'array', items: numOrNull } },
          },
        },
      },
    },
    leaveOneOut: {
      description: 'Leave-one-donor-out refits of classic synthetic control (one row per treated unit × donor with positive weight).',
      type: 'array',
      items: { type: 'object', required: ['unit', 'dropped', 'att', 'gaps'], properties: { unit: { type: 'string' }, dropped: { type: 'string' }, att: numOrNull, gaps: { type: 'array', items: numOrNull } } },
    },
    eventCovariance: {
      description: 'did: the event-study coefficients (reference −1 left out) and their covariance, rows and columns in eventTimes order; what --honest reads (and what HonestDiD-style tools take as betahat and sigma).',
      type: 'object',
      required: ['eventTimes', 'estimates', 'vcov'],
      properties: { eventTimes: { type: 'array', items: { type: 'integer' } }, estimates: { type: 'array', items: numOrNull }, vcov: { type: 'array', items: { type: 'array', items: numOrNull } }, df: numOrNull, clusters: { type: ['integer', 'null'] }, basePeriod: { type: 'string' } },
    },
    sensitivity: {
      description: 'did --honest: Rambachan & Roth (2023) robust confidence sets for the target (first post period or post average). relativeMagnitudes: sets under Δ^RM(M̄) by the Andrews–Roth–Pakes hybrid test (method arp-hybrid, the default: kappa, lfDraws least favourable draws from stream lfStream of seed, θ grid of gridPoints per piece with bisection to tolerance; rows give the hull [lower, upper] of the union over pieces (s, sign), convex false when it has a gap, and each piece) or by the ARP conditional test alone (method arp-conditional, --honest-rm-method conditional: kappa 0, lfDraws 0, lfCritical of each piece null; HonestDiD method Conditional) or by the conservative Šidák projection (method sidak-projection); identified sets at the estimate; breakdown M̄ (largest M̄ whose set excludes 0, to breakdownTolerance; null when the M̄ = 0 set covers 0). smoothness: fixed-length CIs under Δ^SD(M), breakdown M.',
      type: 'object',
      required: ['target', 'estimate', 'se', 'ci', 'relativeMagnitudes', 'smoothness'],
      properties: {
        target: { enum: ['first', 'average'] },
        estimate: num,
        se: num,
        ci: interval,
        relativeMagnitudes: {
          type: 'object',
          required: ['method', 'rows', 'breakdown'],
          properties: {
            method: { enum: ['arp-hybrid', 'arp-conditional', 'sidak-projection'] },
            breakdown: numOrNull,
            breakdownTolerance: numOrNull,
            kappa: num,
            lfDraws: { type: 'integer' },
            seed: num,
            lfStream: { type: 'integer' },
            gridPoints: { type: 'integer' },
            tolerance: num,
            rows: {
              type: 'array',
              items: {
                type: 'object',
                required: ['mbar', 'lower', 'upper', 'identifiedSet'],
                properties: {
                  mbar: num,
                  lower: num,
                  upper: num,
                  identifiedSet: interval,
                  convex: { type: 'boolean' },
                  pieces: { type: 'array', items: { type: 'object', required: ['s', 'sign', 'lfCritical', 'lower', 'upper'], properties: { s: { type: 'integer' }, sign: { enum: [1, -1] }, lfCritical: numOrNull, lower: numOrNull, upper: numOrNull } } },
                },
              },
            },
          },
        },
        smoothness: {
          type: 'object',
          required: ['method', 'rows', 'breakdown'],
          properties: {
            method: { type: 'string' },
            breakdown: numOrNull,
            rows: { type: 'array', items: { type: 'object', required: ['m', 'lower', 'upper'], properties: { m: num, lower: num, upper: num, centre: num, se: num, maxBias: num } } },
          },
        },
      },
    },
    bacon: {
      description: 'did --bacon: Goodman-Bacon (2021) decomposition of the TWFE coefficient; weightedSum = Σ weight × estimate equals the TWFE coefficient (an identity, balanced panels).',
      type: 'object',
      required: ['comparisons', 'byType', 'weightedSum', 'twfe', 'forbiddenShare'],
      properties: {
        comparisons: {
          type: 'array',
          items: { type: 'object', required: ['type', 'treated', 'control', 'estimate', 'weight', 'forbidden'], properties: { type: { enum: ['treated-vs-never', 'earlier-vs-later', 'later-vs-earlier'] }, treated: { type: 'string' }, control: { type: 'string' }, estimate: num, weight: num, forbidden: { type: 'boolean' } } },
        },
        byType: { type: 'array', items: { type: 'object', required: ['type', 'weight', 'estimate'], properties: { type: { type: 'string' }, weight: num, estimate: numOrNull, comparisons: { type: 'integer' } } } },
        weightedSum: num,
        twfe: num,
        forbiddenShare: num,
      },
    },
    pretrends: {
      description: 'Pre-trend tests: joint Wald, equivalence (TOST) within ±bound, the linear trend the pre-period cannot rule out, and the slope the pre-test detects 80% of the time (Roth 2022); placebo: a hold-out placebo re-estimation (fect-style) when requested.',
      type: 'object',
      properties: {
        wald: { type: 'object', required: ['statistic', 'df', 'pValue'], properties: { statistic: num, df: { type: 'integer' }, pValue: num, rejected: { type: 'boolean' }, form: { type: 'string' } } },
        equivalence: { type: 'object', required: ['bound', 'pValue', 'equivalent'], properties: { bound: num, boundSource: { type: 'string' }, pValue: num, equivalent: { type: 'boolean' } } },
        trend: { type: 'object', required: ['slope', 'se', 'notRuledOut'], properties: { slope: num, se: num, ci: interval, notRuledOut: num } },
        power: { type: 'object', required: ['slope80'], properties: { slope80: num, power: num, description: { type: 'string' } } },
        summary: { type: 'string' },
        scheme: { type: 'string', description: 'SCM methods (pretrends): the replications behind the covariance of the held-out effects (bootstrap-parametric, jackknife, placebo, placebo-space, jackknife-units, …)' },
        periods: { type: 'array', items: { type: 'string' }, description: 'SCM methods: the held-out periods whose effects are tested jointly' },
        replicates: { type: 'integer', description: 'SCM methods: replicates used for the covariance' },
        hotellingG: { type: 'integer', description: 'SCM methods: G = ν + 1 of the Hotelling form F = W(G − k)/(k(G − 1)) ~ F(k, G − k)' },
        alternative: { type: 'string', description: 'SCM methods: the linear pre-trend of the Roth power and the "cannot rule out" slope' },
        coefficients: { type: 'array', items: { type: 'object', required: ['eventTime', 'estimate', 'se'], properties: { eventTime: { type: 'integer' }, estimate: num, se: num, tostPValue: num } } },
        joint: { type: 'object', description: 'SCM methods: present when the joint test is not available, with the reason', required: ['available', 'reason'], properties: { available: { const: false }, reason: { type: 'string' } } },
        placebo: {
          type: 'object',
          required: ['holdout', 'pseudoStart', 'heldOut', 'att', 'ci', 'pValue', 'passed', 'equivalence', 'path'],
          properties: {
            holdout: { type: 'integer' },
            pseudoStart: { type: 'string' },
            realStart: { type: 'string' },
            heldOut: { type: 'array', items: { type: 'string' } },
            att: numOrNull,
            ci: interval,
            pValue: numOrNull,
            passed: { type: ['boolean', 'null'] },
            equivalence: { type: 'object', required: ['bound', 'equivalent'], properties: { bound: num, equivalent: { type: ['boolean', 'null'] }, rule: { type: 'string' } } },
            path: { type: 'array', items: { type: 'object', required: ['period', 'heldOut'], properties: { period: { type: 'string' }, observed: numOrNull, counterfactual: numOrNull, effect: numOrNull, heldOut: { type: 'boolean' } } } },
          },
        },
      },
    },
    power: {
      description: 'power: minimum detectable effect (MDE) and power curve of the design, simulated on the panel (placebo designs with a known effect added; the method run with its own inference). Every power figure carries its Monte Carlo SE √(p(1−p)/S).',
      type: 'object',
      required: ['target', 'alpha', 'evaluation', 'sims', 'design', 'mde', 'size', 'curve', 'analytic'],
      properties: {
        target: num,
        alpha: num,
        evaluation: { enum: ['shift', 'rerun'], description: "shift: one run per design, the interval moved by δ (methods whose interval is translation-equivariant); rerun: each design rerun at each effect size" },
        inference: { type: 'string' },
        placebo: { enum: ['space', 'time'] },
        effectType: { enum: ['additive', 'proportional'] },
        direction: { enum: ['decrease', 'increase'] },
        sims: { type: 'integer' },
        design: { type: 'object', required: ['nTreated', 'post'], properties: { units: { type: 'integer' }, controls: { type: 'integer' }, nTreated: { type: 'integer' }, pre: { type: ['integer', 'null'] }, post: { type: 'integer' }, start: { type: 'string' }, treatedPreMean: numOrNull, populationPerArea: numOrNull, distinctDesigns: { type: 'integer' } } },
        mde: {
          type: 'object',
          required: ['value', 'mcSe', 'mcInterval', 'reached', 'percentOfMean', 'outcomeUnits', 'offencesOverPost'],
          properties: { value: numOrNull, mcSe: numOrNull, mcInterval: interval, reached: { type: 'boolean' }, percentOfMean: numOrNull, outcomeUnits: numOrNull, offencesOverPost: numOrNull },
        },
        size: { type: 'object', required: ['value', 'mcSe'], properties: { value: num, mcSe: num, rejections: { type: 'integer' } } },
        curve: { type: 'array', items: { type: 'object', required: ['effect', 'power', 'mcSe'], properties: { effect: num, percentOfMean: numOrNull, power: { type: 'number', minimum: 0, maximum: 1 }, mcSe: num, rejections: { type: 'integer' } } } },
        analytic: {
          type: 'object',
          required: ['applies', 'reason', 'bloom', 'bpw'],
          description: 'Analytic DiD MDE: Bloom (1995) with serially uncorrelated errors and Burlig, Preonas & Woerman (2020) eq. 2 with σ², ψ^B, ψ^A, ψ^X estimated from two-way residuals of the history.',
          properties: {
            applies: { type: 'boolean' },
            reason: strOrNull,
            bloom: { oneOf: [{ type: 'object', required: ['mde', 'se', 'df'], properties: { mde: numOrNull, se: numOrNull, df: num, sigma2: numOrNull } }, { type: 'null' }] },
            bpw: { oneOf: [{ type: 'object', required: ['mde', 'se', 'df'], properties: { mde: numOrNull, se: numOrNull, df: num } }, { type: 'null' }] },
          },
        },
      },
    },
    source: { type: ['string', 'object', 'null'] },
    label: strOrNull,
  },
} as const;
