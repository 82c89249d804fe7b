/**
 * The estimating commands a plan can run, with the option tables that apply to each (by method).
 * Register a new command here with its tables; an scm method is picked up from SCM_METHODS when it
 * declares `options` (a table).
 */
import { OUTPUT_OPTIONS, PANEL_OPTIONS } from '../core/commonOptions.js';
import type { OptionTable } from '../core/optionTable.js';
import { CBA_OPTIONS } from '../estimators/cba/options.js';
import { CS_OPTIONS, DID_OPTIONS, TWFE_OPTIONS } from '../estimators/did/options.js';
import { ITS_OPTIONS } from '../estimators/its/options.js';
import { SCM_ANALYSES, SCM_COMMAND_OPTIONS } from '../analyse/scmMethods.js';

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
};

const did: PlanCommand = {
  name: 'did',
  panel: true,
  tables: (o) => [PANEL_OPTIONS, OUTPUT_OPTIONS, DID_OPTIONS, methodOf(o, 'twfe') === 'cs' ? CS_OPTIONS : TWFE_OPTIONS],
  allTables: () => [PANEL_OPTIONS, OUTPUT_OPTIONS, DID_OPTIONS, TWFE_OPTIONS, CS_OPTIONS],
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

export const PLAN_COMMANDS: readonly PlanCommand[] = [scm, its, did, cba];
