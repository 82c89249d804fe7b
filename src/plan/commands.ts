/**
 * The estimating commands a plan can run, with the option tables that apply to each (by method).
 * Register a new command here with its tables; an scm method is picked up from SCM_METHODS when it
 * declares `options` (a table).
 */
import { OUTPUT_OPTIONS, PANEL_OPTIONS } from '../core/commonOptions.js';
import type { OptionTable } from '../core/optionTable.js';
import { CBA_OPTIONS } from '../estimators/cba/options.js';
import { CS_OPTIONS, DID_OPTIONS, TWFE_OPTIONS } from '../estimators/did/options.js';
import { SENS_OPTIONS } from '../estimators/did/sensitivity.js';
import { ITS_OPTIONS } from '../estimators/its/options.js';
import { SCM_ANALYSES, SCM_COMMAND_OPTIONS, scmRepsProblem } from '../analyse/scmMethods.js';
import { PlanError } from '../core/optionTable.js';
import { POWER_OPTIONS } from '../power/options.js';

/** Methods of `power` whose runs resample (and so read reps); as src/cli/commands/power.ts checks. */
const POWER_REPS_METHODS: readonly string[] = ['gsynth', 'synth'];

const SCM_METHODS = Object.values(SCM_ANALYSES);

export interface PlanCommand {
  /** The CLI command. */
  name: string;
  /** True when the command reads a panel CSV (its first argument). */
  panel: boolean;
  /** Tables for a step with these (raw plan) options; `method` picks the method's own table. */
  tables: (options: Readonly<Record<string, unknown>>) => OptionTable[];
  /** Every table of the command (all methods), for the plan schema. */
  allTables: () => OptionTable[];
  /** Why `key` is not an option here although another method has it (or null). */
  notFor: (key: string, options: Readonly<Record<string, unknown>>) => string | null;
  /**
   * Checks across options that the method makes when it runs (e.g. replications per method), made
   * at validation time so a plan fails before any step runs. @throws PlanError at `path`.<key>
   */
  check?: (values: Readonly<Record<string, unknown>>, given: ReadonlySet<string>, path: string) => void;
}

function methodOf(options: Readonly<Record<string, unknown>>, def: string): string {
  return typeof options.method === 'string' ? options.method : def;
}

const scm: PlanCommand = {
  name: 'scm',
  panel: true,
  tables: (o) => {
    const m = SCM_METHODS.find((x) => x.name === methodOf(o, SCM_COMMAND_OPTIONS.method.default!));
    return [PANEL_OPTIONS, OUTPUT_OPTIONS, SCM_COMMAND_OPTIONS, ...(m?.options ? [m.options] : [])];
  },
  allTables: () => [PANEL_OPTIONS, OUTPUT_OPTIONS, SCM_COMMAND_OPTIONS, ...SCM_METHODS.flatMap((m) => (m.options ? [m.options] : []))],
  notFor: (key, o) => {
    const other = SCM_METHODS.find((m) => m.options && key in m.options);
    return other ? `'${key}' is an option of scm method ${other.name}, not of method ${methodOf(o, SCM_COMMAND_OPTIONS.method.default!)}` : null;
  },
  check: (v, given, path) => {
    if (!given.has('reps')) return;
    const why = scmRepsProblem(String(v.method), v.reps as number, typeof v.inference === 'string' ? v.inference : undefined);
    if (why) throw new PlanError('PLAN_BAD_VALUE', `${path}.reps`, why);
  },
};

const did: PlanCommand = {
  name: 'did',
  panel: true,
  tables: (o) => [PANEL_OPTIONS, OUTPUT_OPTIONS, DID_OPTIONS, methodOf(o, 'twfe') === 'cs' ? CS_OPTIONS : TWFE_OPTIONS, SENS_OPTIONS],
  allTables: () => [PANEL_OPTIONS, OUTPUT_OPTIONS, DID_OPTIONS, TWFE_OPTIONS, CS_OPTIONS, SENS_OPTIONS],
  notFor: (key, o) => {
    const m = methodOf(o, 'twfe');
    const other = m === 'cs' ? TWFE_OPTIONS : CS_OPTIONS;
    return key in other ? `'${key}' is an option of did method ${m === 'cs' ? 'twfe' : 'cs'}, not of method ${m}` : null;
  },
};

const its: PlanCommand = {
  name: 'its',
  panel: true,
  tables: () => [PANEL_OPTIONS, OUTPUT_OPTIONS, ITS_OPTIONS],
  allTables: () => [PANEL_OPTIONS, OUTPUT_OPTIONS, ITS_OPTIONS],
  notFor: () => null,
};

const cba: PlanCommand = {
  name: 'cba',
  panel: false,
  tables: () => [OUTPUT_OPTIONS, CBA_OPTIONS],
  allTables: () => [OUTPUT_OPTIONS, CBA_OPTIONS],
  notFor: () => null,
};

/** `vru-eval power` (the plan's power section): the checks its command makes across options. */
const power: PlanCommand = {
  name: 'power',
  panel: true,
  tables: () => [PANEL_OPTIONS, OUTPUT_OPTIONS, POWER_OPTIONS],
  allTables: () => [PANEL_OPTIONS, OUTPUT_OPTIONS, POWER_OPTIONS],
  notFor: () => null,
  check: (v, given, path) => {
    const method = String(v.method);
    if (given.has('reps') && !POWER_REPS_METHODS.includes(method)) throw new PlanError('PLAN_BAD_KEY', `${path}.reps`, `reps sets the bootstrap / placebo draws of ${POWER_REPS_METHODS.join(' and ')}; method ${method} uses an analytic or jackknife interval (drop reps)`);
    if (given.has('covariates')) throw new PlanError('PLAN_BAD_KEY', `${path}.covariates`, 'power runs each method on the outcome alone; covariates are not used (drop them)');
    const scale = v.outcomeScale ?? (v.population !== undefined ? 'rate' : null);
    if (given.has('ratePer') && scale !== 'rate') throw new PlanError('PLAN_BAD_KEY', `${path}.ratePer`, 'ratePer converts a rate to offences, which needs population (a column) or outcomeScale rate');
    if (scale === 'rate' && v.population === undefined) throw new PlanError('PLAN_MISSING_KEY', `${path}.population`, 'outcomeScale rate needs population (a column) to turn the MDE into offences');
  },
};

export const PLAN_COMMANDS: readonly PlanCommand[] = [scm, its, did, cba, power];
