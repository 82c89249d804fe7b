/**
 * National-scale benchmark panels (issue 11): the project's generator (src/sim/dgp.ts,
 * the police fixture's model) at 3,000 or 35,000 areas × 66 months, written to CSV in
 * chunks so that a 2.3-million-row file never exists as one string.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { POLICE_FIXTURE_SPEC, simulatePanel, type SimRecord } from '../src/sim/dgp.js';

/** Same text as dgp.ts recordsToCsv (4-decimal outcome and covariate). */
const fmt = (v: number) => String(Math.round(v * 1e4) / 1e4);

/** Write `units` areas × 66 months with `treated` treated areas (one start, 2019-04) to `path`. Returns the row count. */
export function writeNationalPanel(path: string, units: number, treated: number, seed = 1): number {
  const { records } = simulatePanel({ ...POLICE_FIXTURE_SPEC, units, treatedUnits: treated }, seed);
  writeRecordsCsv(path, records);
  return records.length;
}

export function writeRecordsCsv(path: string, records: readonly SimRecord[]): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, 'unit,period,violence_rate,treated,offences,population,stop_search\n');
    const batch = 20000;
    for (let a = 0; a < records.length; a += batch) {
      let s = '';
      for (let k = a; k < Math.min(records.length, a + batch); k++) {
        const r = records[k]!;
        s += `${r.unit},${r.period},${fmt(r.outcome)},${r.treated},${r.offences},${r.population},${fmt(r.x)}\n`;
      }
      writeSync(fd, s);
    }
  } finally {
    closeSync(fd);
  }
}
