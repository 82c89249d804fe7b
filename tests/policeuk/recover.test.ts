/**
 * `panel police-uk` recovers every LSOA × month × crime-type count the generator put in
 * (exactly: counts are integers), from the archive folder and from its zip, with empty
 * cells for the force-months that have no file; the manifest accounts for every record.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPoliceUkPanel } from '../../src/policeuk/build.js';
import { CRIME_SLUGS, N_TYPES } from '../../src/policeuk/format.js';
import { runCli } from '../helpers.js';
import { generate, parsePanel, type Generated } from './helpers.js';
import { checkIdentity } from './realOracle.js';

const TOOL = { name: 'vru-eval', version: 'test' };
let g: Generated;
beforeAll(async () => {
  g = await generate();
});

function expectRecovered(csv: string, gen: Generated) {
  const { truth } = gen;
  const M = truth.months.length;
  const { header, rows } = parsePanel(csv);
  expect(header).toEqual(['unit', 'period', ...CRIME_SLUGS, 'all_crime', 'treated']);
  const missing = new Set(truth.missingForceMonths.map((x) => `${x.force}|${x.month}`));
  const byKey = new Map(rows.map((r) => [`${r.unit}|${r.period}`, r]));
  // every LSOA of the generator is a unit, every month a period
  expect(rows.length).toBe(truth.lsoas.length * M);
  let checked = 0;
  let empty = 0;
  truth.lsoas.forEach((code, i) => {
    for (let m = 0; m < M; m++) {
      const r = byKey.get(`${code}|${truth.months[m]}`);
      expect(r, `${code} ${truth.months[m]}`).toBeDefined();
      if (missing.has(`${truth.lsoaForce[i]}|${truth.months[m]}`)) {
        for (const s of [...CRIME_SLUGS, 'all_crime']) expect(r![s]).toBe('');
        empty++;
        continue;
      }
      let all = 0;
      for (let k = 0; k < N_TYPES; k++) {
        const want = truth.counts[(i * M + m) * N_TYPES + k]!;
        expect(Number(r![CRIME_SLUGS[k]!]), `${code} ${truth.months[m]} ${CRIME_SLUGS[k]}`).toBe(want);
        if (k !== 0) all += want;
        checked++;
      }
      expect(Number(r!.all_crime)).toBe(all);
    }
  });
  expect(empty).toBe(truth.spec.forces.find((f) => f.slug === 'greater-manchester')!.lsoas * 6);
  expect(checked).toBeGreaterThan(50_000);
}

describe('panel police-uk: exact recovery', () => {
  it('from the folder and from the zip: every count, empty cells for missing force-months, identical bytes', async () => {
    const a = await buildPoliceUkPanel({ inputs: [g.folder] }, TOOL);
    expectRecovered(a.csv, g);
    checkIdentity(a.manifest, a.csv);
    const b = await buildPoliceUkPanel({ inputs: [g.zip] }, TOOL);
    expect(b.csv).toBe(a.csv);
  });

  it('the manifest accounts for every record, file and force-month', async () => {
    const { manifest: m } = await buildPoliceUkPanel({ inputs: [g.zip] }, TOOL);
    const t = g.truth;
    const M = t.months.length;
    expect(m.missingForceMonths).toEqual(t.missingForceMonths);
    expect(m.forces).toEqual([...t.forces].sort());
    const sum = (a: Uint32Array) => a.reduce((s, x) => s + x, 0);
    expect(m.records.duplicates).toBe(sum(t.duplicates));
    expect(m.records.unlocated).toBe(sum(t.unlocated));
    expect(m.records.records).toBe(sum(t.rows));
    expect(m.records.used).toBe(sum(t.counts));
    expect(m.records.records).toBe(m.records.used + m.records.duplicates + m.records.unlocated + m.records.outsideAreas);
    // per force-month tallies
    for (const f of m.files) {
      const fi = t.forces.indexOf(f.force);
      const mi = t.months.indexOf(f.month);
      expect(f.records).toBe(t.rows[fi * M + mi]);
      expect(f.duplicates).toBe(t.duplicates[fi * M + mi]);
      expect(f.unlocated).toBe(t.unlocated[fi * M + mi]);
      expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(m.files.length).toBe(t.forces.length * M - t.missingForceMonths.length);
    // BTP left out, by name
    expect(m.excludedFiles.length).toBe(M);
    expect(m.excludedFiles.every((f) => f.force === 'btp' && /non-territorial/.test(f.reason!))).toBe(true);
    // unlocated shares: sussex has 9% by design
    const sx = m.unlocated.find((u) => u.force === 'sussex')!;
    expect(sx.share).toBeGreaterThan(0.06);
    expect(m.inputs[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    // cross-border records were found
    expect(m.crossBorder.records).toBeGreaterThan(0);
  });

  it('the same inputs give byte-identical panel and manifest', async () => {
    const a = await buildPoliceUkPanel({ inputs: [g.zip], stopSearch: true }, TOOL);
    const b = await buildPoliceUkPanel({ inputs: [g.zip], stopSearch: true }, TOOL);
    expect(b.csv).toBe(a.csv);
    expect(JSON.stringify(b.manifest)).toBe(JSON.stringify(a.manifest));
  });

  it('the file sha256 in the manifest is the file content hash (folder input)', async () => {
    const { manifest: m } = await buildPoliceUkPanel({ inputs: [g.folder] }, TOOL);
    const { createHash } = await import('node:crypto');
    const f = m.files[0]!;
    expect(createHash('sha256').update(readFileSync(f.file)).digest('hex')).toBe(f.sha256);
  });

  it('--include-force btp adds the BTP records to the LSOAs they sit in', async () => {
    const a = await buildPoliceUkPanel({ inputs: [g.folder] }, TOOL);
    const b = await buildPoliceUkPanel({ inputs: [g.folder], includeForces: ['btp'] }, TOOL);
    expect(b.manifest.excludedFiles.length).toBe(0);
    expect(b.manifest.records.used - a.manifest.records.used).toBeGreaterThan(0);
    // BTP records in months of a missing force sit in cells that stay empty, so compare used records
    expect(b.manifest.records.records - a.manifest.records.records).toBe(g.truth.btpRecords);
  });

  it('through the binary: writes panel and manifest; inspect summarises the manifest beside the panel', () => {
    const out = `${g.dir}/cli.csv`;
    const r = runCli(['panel', 'police-uk', g.zip, '--out', out, '--treated-where', 'force=kent', '--start', '2019-04']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().missingForceMonths).toBe(6);
    const i = runCli(['inspect', out, '--outcome', 'violence_and_sexual_offences']);
    expect(i.code, i.stderr).toBe(0);
    const s = i.json();
    expect(s.missingCells.count).toBe(40 * 6);
    expect(s.manifest.missingForceMonths.count).toBe(6);
    expect(s.manifest.records).toBe(g.truth.rows.reduce((a, x) => a + x, 0));
  });
});
