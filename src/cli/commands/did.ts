/**
 * `vru-eval did`: difference-in-differences. --method twfe (two-way fixed
 * effects, event study, CR1 / wild cluster bootstrap) or --method cs
 * (Callaway & Sant'Anna 2021 group-time effects and aggregations).
 */
import { Command } from 'commander';
import { readOptions } from '../../core/optionTable.js';
import { CS_OPTIONS, DID_OPTIONS, parseWindow, TWFE_OPTIONS } from '../../estimators/did/options.js';
import { UsageError } from '../../core/errors.js';
import { analyseCs, analyseTwfe, type CsAnalyseOptions, type TwfeAnalyseOptions } from '../../analyse.js';
import type { CliContext } from '../context.js';
import { cliHooks } from '../progress.js';
import { emitDocument } from '../context.js';
import { addOptions, givenOptions } from '../optionFlags.js';
import { addOutputOptions, addPanelOptions, analyseOptionsFrom, commonFrom } from '../options.js';

export { parseWindow };

export function didCommand(ctx: CliContext): Command {
  const cmd = new Command('did')
    .description('difference-in-differences: two-way fixed effects with event study and cluster/wild-bootstrap inference (--method twfe), or Callaway & Sant\'Anna group-time effects for staggered adoption (--method cs)')
    .argument('<csv>', "panel file, one row per unit × period ('-' for stdin)");
  addPanelOptions(cmd);
  addOutputOptions(cmd);
  addOptions(cmd, DID_OPTIONS);
  addOptions(cmd, TWFE_OPTIONS);
  addOptions(cmd, CS_OPTIONS);
  return cmd.action((file: string, o: Record<string, unknown>, command: Command) => {
    const common = commonFrom(o);
    const { method } = readOptions(DID_OPTIONS, o);
    const foreign = Object.keys(method === 'twfe' ? CS_OPTIONS : TWFE_OPTIONS);
    const given = givenOptions(command);
    for (const key of foreign) {
      if (given.has(key)) {
        const flag = '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
        throw new UsageError('OPTION_NOT_FOR_METHOD', `${flag} applies to --method ${method === 'twfe' ? 'cs' : 'twfe'}, not --method ${method}`, { flag, method });
      }
    }
    // flags → analyseTwfe / analyseCs (src/analyse/did.ts: weights, clusters, design checks) → document
    const r =
      method === 'cs'
        ? analyseCs(file, { ...analyseOptionsFrom<CsAnalyseOptions>(o, [CS_OPTIONS]), given }, cliHooks(ctx))
        : analyseTwfe(file, analyseOptionsFrom<TwfeAnalyseOptions>(o, [TWFE_OPTIONS]), cliHooks(ctx));
    emitDocument(ctx, r.command, r.input, r.analysis, common.out);
  });
}
