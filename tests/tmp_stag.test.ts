import { it } from 'vitest';
import { readPanelText } from '../src/core/panel.js';
import { gsynth } from '../src/estimators/gsynth/index.js';
import { POLICE_FIXTURE_SPEC, simulatePanel, type PanelSpec } from '../src/sim/dgp.js';
it('stag', async () => {
  for (const stag of [false, true]) for (const sel of ['level', 'random'] as const) {
    const spec: PanelSpec = { ...POLICE_FIXTURE_SPEC, treatedUnits: 12, selection: sel, ...(stag ? { staggerStarts: ['2019-10', '2020-01'] } : {}) };
    delete (spec as Partial<PanelSpec>).shock;
    const ests: number[] = []; let se = 0; let cov = 0; const reps = 120;
    for (let m = 0; m < reps; m++) {
      const { records, truth } = simulatePanel(spec, 500 + m);
      const csv = ['unit,period,y,treated', ...records.map((r) => `${r.unit},${r.period},${r.outcome},${r.treated}`)].join('\n');
      const a = await gsynth(readPanelText(csv, { outcome: 'y' }), { inference: 'parametric', boots: 150, seed: m + 1, factors: 2 });
      ests.push(a.estimate!.att! - truth.att); se += a.estimate!.se!;
      const ci = a.estimate!.ci!; if (ci[0] <= truth.att && truth.att <= ci[1]) cov++;
    }
    const mu = ests.reduce((s, v) => s + v, 0) / reps; const sd = Math.sqrt(ests.reduce((s, v) => s + (v - mu) ** 2, 0) / (reps - 1));
    console.log(`STAG=${stag} sel=${sel} meanSE=${(se / reps).toFixed(4)} sdEst=${sd.toFixed(4)} ratio=${(se / reps / sd).toFixed(3)} cov=${cov / reps} bias=${mu.toFixed(3)}`);
  }
}, 1200000);
