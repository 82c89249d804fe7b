/**
 * The three commands from the police.uk download to an estimate, through the binary, on a
 * generated archive whose programme effect is known exactly (the generator thins each
 * violence record in the treated forces from 2019-04 with probability 0.3 and records the
 * realised y¹ − y⁰ of every LSOA-month):
 *   1. archive zip → `panel` (LSOA hotspots: top 20% by pre-2019-04 violence, treated
 *      forces kent and south-wales, population and rates) → `scm` (gsynth) → `cba`;
 *   2. the same archive aggregated to local authorities by a generated ONS-style lookup →
 *      `scm --method gsynth`, with the force that has missing months left out (balanced, so the
 *      bootstrap is reliable) and kept (missing control cells imputed; point estimate checked).
 *
 * Tolerance. The truth is the realised effect summed over the treated cells; the estimate
 * differs from it by the error of the counterfactual prediction, whose scale the estimator
 * reports as its standard error. We accept |estimate − truth| ≤ min(3·SE, 0.4·|truth|): 3·SE is
 * a two-sided 99.7% band for sampling error if the SE is right, and the 40% cap keeps the test
 * able to fail when the SE is large (LSOA hotspots are noisy: SE ≈ 22% of the truth here), so a
 * chain that lost the effect (estimate 0), double-counted it (2× truth) or mislabelled the
 * treated areas fails. Both must also have the right sign with an interval excluding 0.
 * Measured (seed 11): LSOA chain 608.5 offences avoided (SE 141) vs truth 649; LAD chain ATT
 * −115.3 per 100,000 a month (SE 18.4) vs truth −119.2 (Greater Manchester left out), and −120.3
 * with Greater Manchester's missing months imputed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SMALL_POLICEUK_SPEC, lookupCsv, pfaCode, populationCsv } from '../../src/sim/policeuk.js';
import { runCli } from '../helpers.js';
import { generate, parsePanel, type Generated } from './helpers.js';

/** The small archive with busier LSOAs (30 records a month on average), so that 20% hotspots carry a measurable effect. */
const CHAIN_SPEC = { ...SMALL_POLICEUK_SPEC, meanRecords: 30 };
let g: Generated;
let pop: string;
let lookup: string;
beforeAll(async () => {
  g = await generate(CHAIN_SPEC, 11, true);
  pop = join(g.dir, 'pop.csv');
  writeFileSync(pop, populationCsv(g.truth, [2018, 2019, 2020]).csv);
  lookup = join(g.dir, 'lookup.csv');
  writeFileSync(lookup, lookupCsv(g.truth));
});

function run(args: string[]) {
  const r = runCli(args);
  expect(r.code, `${args.slice(0, 2).join(' ')}: ${r.stderr}`).toBe(0);
  return r;
}

describe('police.uk → panel → scm → cba', () => {
  it('LSOA hotspots in the treated forces: offences avoided recover the planted effect', () => {
    const t = g.truth;
    const panel = join(g.dir, 'hot.csv');
    run(['panel', 'police-uk', g.zip, '--out', panel, '--population', pop, '--hotspots', '20%', '--by', 'violence_and_sexual_offences', '--before', '2019-04', '--treated-where', 'force=kent,south-wales', '--start', '2019-04', '--drop-incomplete']);
    const manifest = JSON.parse(readFileSync(join(g.dir, 'hot.manifest.json'), 'utf8'));
    const treated: string[] = manifest.treated.map((x: { unit: string }) => x.unit);
    expect(treated.length).toBeGreaterThan(8);
    for (const u of treated) expect(['kent', 'south-wales']).toContain(t.lsoaForce[t.lsoas.indexOf(u)]);
    // truth: violence records removed by the programme in the treated hotspot LSOAs, 2019-04 on
    const M = t.months.length;
    const m0 = t.months.indexOf('2019-04');
    let truthAvoided = 0;
    for (const u of treated) {
      const i = t.lsoas.indexOf(u);
      for (let m = m0; m < M; m++) truthAvoided -= t.violenceEffect[i * M + m]!;
    }
    expect(truthAvoided).toBeGreaterThan(300);
    const scm = join(g.dir, 'scm.json');
    run(['scm', panel, '--outcome', 'violence_and_sexual_offences_rate', '--population', 'population', '--out', scm]);
    const doc = JSON.parse(readFileSync(scm, 'utf8'));
    expect(doc.estimate.treatedUnits).toBe(treated.length);
    const est = doc.counts.offencesAvoided as number;
    const se = doc.counts.se as number;
    expect(se).toBeGreaterThan(0);
    expect(Math.abs(est - truthAvoided), `offences avoided ${est} (SE ${se}) vs truth ${truthAvoided}`).toBeLessThanOrEqual(Math.min(3 * se, 0.4 * truthAvoided));
    expect(doc.counts.ci[0]).toBeGreaterThan(0);
    const cba = join(g.dir, 'cba.json');
    run(['cba', '--from', scm, '--multiplier', '1', '--unit-cost', '1000', '--costs', '100000', '--out', cba]);
    const c = JSON.parse(readFileSync(cba, 'utf8'));
    const text = JSON.stringify(c);
    // cba carries the same offences avoided and prices them: benefits = avoided × £1,000
    expect(text).toContain(String(est));
    expect(c.totals?.benefits?.estimate ?? c.totals?.benefits).toBeCloseTo(est * 1000, 6);
  });

  it('local authorities (generated lookup) → scm --method gsynth: ATT per 100,000 recovers the truth', () => {
    const t = g.truth;
    const where = ['--treated-where', `PFA19CD=${pfaCode(t, 'kent')},${pfaCode(t, 'south-wales')}`, '--start', '2019-04'];
    // (a) Greater Manchester's local authorities, with six months of no file, left out (--drop-incomplete):
    //     a balanced panel, on which gsynth's bootstrap is reliable.
    const panel = join(g.dir, 'lad.csv');
    run(['panel', 'police-uk', g.folder, '--out', panel, '--lookup', lookup, '--level', 'LAD19CD', '--population', pop, ...where, '--drop-incomplete']);
    const { rows } = parsePanel(readFileSync(panel, 'utf8'));
    // truth ATT: mean over treated LAD-months of (Σ effect of its LSOAs) / population × 100,000
    const M = t.months.length;
    let s = 0;
    let n = 0;
    for (const r of rows) {
      if (r.treated !== '1') continue;
      const m = t.months.indexOf(r.period!);
      let e = 0;
      t.lsoas.forEach((_, i) => {
        if (t.lsoaLad[i] === r.unit) e += t.violenceEffect[i * M + m]!;
      });
      s += (e / Number(r.population)) * 1e5;
      n++;
    }
    const truthAtt = s / n;
    expect(n).toBe(7 * 12);
    const scm = join(g.dir, 'lad.json');
    run(['scm', panel, '--method', 'gsynth', '--outcome', 'violence_and_sexual_offences_rate', '--population', 'population', '--out', scm]);
    const doc = JSON.parse(readFileSync(scm, 'utf8'));
    const att = doc.estimate.att as number;
    const se = doc.estimate.se as number;
    expect(se).toBeGreaterThan(0);
    expect(Math.abs(att - truthAtt), `ATT ${att} (SE ${se}) vs truth ${truthAtt}`).toBeLessThanOrEqual(Math.min(3 * se, 0.4 * Math.abs(truthAtt)));
    expect(doc.estimate.ci[1]).toBeLessThan(0);
    // (b) The same with Greater Manchester kept: its empty months are missing control cells, which
    //     gsynth imputes (named in the warnings); the point estimate must stay within the same band.
    const panelAll = join(g.dir, 'lad-all.csv');
    run(['panel', 'police-uk', g.folder, '--out', panelAll, '--lookup', lookup, '--level', 'LAD19CD', '--population', pop, ...where]);
    const all = JSON.parse(run(['scm', panelAll, '--method', 'gsynth', '--outcome', 'violence_and_sexual_offences_rate', '--population', 'population', '--inference', 'none', '--json']).stdout);
    expect(all.warnings.map((w: { code: string }) => w.code)).toContain('IMPUTED_CONTROL_CELLS');
    expect(Math.abs(all.estimate.att - truthAtt), `ATT with imputed cells ${all.estimate.att} vs truth ${truthAtt}`).toBeLessThanOrEqual(Math.min(3 * se, 0.4 * Math.abs(truthAtt)));
    // (c) Regression (tests/gsynth/missing.test.ts): on this panel the intervals of offences avoided
    //     were [1316.9, 1316.9] (nonparametric), [−2582, 3835] (jackknife), and the parametric
    //     replicates failed, with exit 0. Each scheme's interval now contains the estimate, with no
    //     failed replicate, and an SE within a factor 2.5 of the balanced panel's (which lacks
    //     Greater Manchester's areas, so the two differ somewhat).
    const seBal = doc.counts.se as number;
    for (const inference of ['nonparametric', 'jackknife', 'parametric']) {
      const d = JSON.parse(run(['scm', panelAll, '--method', 'gsynth', '--outcome', 'violence_and_sexual_offences_rate', '--population', 'population', '--inference', inference, '--reps', '200', '--json']).stdout);
      const codes = d.warnings.map((w: { code: string }) => w.code);
      expect(codes, inference).not.toContain('REPLICATES_FAILED');
      const [lo, hi] = d.counts.ci as [number, number];
      const est = d.counts.offencesAvoided as number;
      console.log(`LAD panel with missing force-months, ${inference}: offences avoided ${est} [${lo}, ${hi}], SE ${d.counts.se} (balanced panel: ${doc.counts.offencesAvoided}, SE ${seBal})`);
      expect(lo, inference).toBeLessThan(est);
      expect(hi, inference).toBeGreaterThan(est);
      expect(d.counts.se / seBal, inference).toBeGreaterThan(1 / 2.5);
      expect(d.counts.se / seBal, inference).toBeLessThan(2.5);
    }
  });
});
