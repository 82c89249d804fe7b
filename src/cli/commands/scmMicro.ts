/**
 * `vru-eval scm --method micro`: micro-area synthetic control (Robbins, Saunders & Kilmer 2017;
 * microsynth). Flags → analyseMicro (src/analyse/micro.ts, which does every preparation step) →
 * document; on a terminal, progress with a time estimate.
 */
import { MICRO_OPTIONS } from '../../estimators/micro/options.js';
import { SCM_OPTIONS } from '../../estimators/scmOptions.js';
import type { MicroProgress } from '../../estimators/micro/index.js';
import { analyseMicro, type MicroAnalyseOptions } from '../../analyse/micro.js';
import { emitDocument, outputOf, type CliContext } from '../context.js';
import { analyseOptionsFrom, commonFrom } from '../options.js';
import { cliHooks } from '../progress.js';
import type { ScmMethod } from './scmMethods.js';

const CLEAR = '\r\x1b[K';

/** Progress with a time estimate (stderr on a terminal only), redrawn at most every 200 ms. */
function progressWithEta(ctx: CliContext): ((p: MicroProgress) => void) | undefined {
  if (!outputOf(ctx).progress) return undefined;
  let last = 0;
  let phase = '';
  let t0 = 0;
  return (p) => {
    const now = Date.now();
    if (p.phase !== phase) {
      phase = p.phase;
      t0 = now;
    }
    if (p.done < p.total && now - last < 200) return;
    last = now;
    const s = (now - t0) / 1000;
    const eta = p.done > 0 && p.done < p.total && s > 1 ? `, about ${Math.ceil((s * (p.total - p.done)) / p.done)} s left` : '';
    ctx.io.stderr(`${CLEAR}micro ${p.phase}: ${p.done}/${p.total}${eta}${p.done === p.total ? '\n' : ''}`);
  };
}

export const microMethod: ScmMethod = {
  name: 'micro',
  description: 'micro-area synthetic control: exact calibration weights on thousands of small areas (Robbins et al. 2017, microsynth)',
  options: MICRO_OPTIONS,
  run: async (ctx: CliContext, file: string, o: Record<string, unknown>) => {
    const options = analyseOptionsFrom<MicroAnalyseOptions>(o, [SCM_OPTIONS, MICRO_OPTIONS]);
    const hooks = { ...cliHooks(ctx), progress: () => progressWithEta(ctx) as never };
    const r = await analyseMicro(file, options, hooks);
    emitDocument(ctx, r.command, r.input, r.analysis, commonFrom(o).out);
  },
};
