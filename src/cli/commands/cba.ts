/**
 * `vru-eval cba`: offences avoided → costs avoided → benefit-cost ratio, from vru-eval result
 * documents (--from), from numbers on the command line, or from a spec file (--spec).
 * Reads no panel. Options are declared in src/estimators/cba/options.ts; the preparation is in
 * src/analyse/cba.ts and the arithmetic in src/estimators/cba.
 */
import { Command } from 'commander';
import { readOptions } from '../../core/optionTable.js';
import { CBA_OPTIONS } from '../../estimators/cba/options.js';
import { analyseCba } from '../../analyse/cba.js';
import type { CliContext } from '../context.js';
import { emitDocument } from '../context.js';
import { addOptions, givenOptions } from '../optionFlags.js';
import { addOutputOptions, commonFrom } from '../options.js';

export function cbaCommand(ctx: CliContext): Command {
  const cmd = new Command('cba')
    .description('cost-benefit: offences avoided × under-reporting multiplier × unit cost of crime (Heeks et al. 2018 table or given), against programme costs (optionally discounted); benefit-cost ratio with its range over the effects\' confidence intervals');
  addOptions(cmd, CBA_OPTIONS);
  addOutputOptions(cmd);
  return cmd.action((o: Record<string, unknown>, command: Command) => {
    const common = commonFrom(o);
    // flags → analyseCba (src/analyse/cba.ts: effect source, outcomes, costs, costBenefit) → document
    const r = analyseCba({ ...readOptions(CBA_OPTIONS, o), seed: common.seed, level: common.level, format: (o.format as string | undefined) ?? 'json', given: givenOptions(command) });
    // The table (formatCbaTable) is the summary of a cba document on a terminal or with --format table.
    emitDocument(ctx, 'cba', r.input, r.analysis, common.out);
  });
}
