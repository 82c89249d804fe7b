/**
 * Every class of bad police.uk input stops with exit 3, a message naming the file (and
 * line where there is one) and a fix, and writes neither panel nor manifest.
 */
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SMALL_POLICEUK_SPEC, lookupCsv, type PoliceUkSpec } from '../../src/sim/policeuk.js';
import { runCli, tempDir } from '../helpers.js';
import { generate, type Generated } from './helpers.js';

const TINY: PoliceUkSpec = {
  ...SMALL_POLICEUK_SPEC,
  months: 4,
  forces: [
    { slug: 'kent', name: 'Kent Police', lsoas: 6, lads: 2 },
    { slug: 'essex', name: 'Essex Police', lsoas: 6, lads: 2 },
  ],
  treatedForces: ['kent'],
  effectStart: '2018-06',
  missing: [],
  btpPerMonth: 3,
  stopSearchPerMonth: 5,
};

let g: Generated;
beforeAll(async () => {
  g = await generate(TINY, 3);
});

/** A fresh copy of the tiny archive folder to damage. */
function copy(): string {
  const d = tempDir();
  cpSync(g.folder, join(d, 'archive'), { recursive: true });
  return join(d, 'archive');
}

function expectRejected(args: string[], code: string, match: RegExp) {
  const d = tempDir();
  const out = join(d, 'p.csv');
  const r = runCli(['panel', 'police-uk', ...args, '--out', out]);
  expect(r.code, r.stderr).toBe(3);
  const e = r.error();
  expect(e.code).toBe(code);
  expect(e.message).toMatch(match);
  expect(existsSync(out)).toBe(false);
  expect(existsSync(join(d, 'p.manifest.json'))).toBe(false);
  return e;
}

const kentApril = (root: string) => join(root, '2018-04', '2018-04-kent-street.csv');

describe('panel police-uk: bad input is exit 3 with file, line and fix, and no panel', () => {
  it('a header that is not police.uk', () => {
    const a = copy();
    const f = kentApril(a);
    writeFileSync(f, readFileSync(f, 'utf8').replace('Crime ID,Month', 'CrimeID,Month'));
    const e = expectRejected([a], 'BAD_HEADER', /2018-04-kent-street\.csv line 1: the header is not police\.uk's.*unedited/);
    expect(e.details.line).toBe(1);
  });

  it("a file holding another month's rows", () => {
    const a = copy();
    const f = kentApril(a);
    const lines = readFileSync(f, 'utf8').split('\n');
    lines[3] = lines[3]!.replace(',2018-04,', ',2018-05,');
    writeFileSync(f, lines.join('\n'));
    const e = expectRejected([a], 'WRONG_MONTH', /kent-street\.csv line 4: a row for 2018-05 in the file for 2018-04/);
    expect(e.details.line).toBe(4);
  });

  it('a file in the wrong month folder', () => {
    const a = copy();
    renameSync(kentApril(a), join(a, '2018-05', '2018-04-kent-street.csv'));
    expectRejected([a], 'WRONG_MONTH_FOLDER', /2018-04-kent-street\.csv: the file is for 2018-04 but sits in the folder 2018-05/);
  });

  it('a malformed row (a comma in an unquoted Location)', () => {
    const a = copy();
    const f = kentApril(a);
    const lines = readFileSync(f, 'utf8').split('\n');
    lines[5] = lines[5]!.replace(/,On or near ([^,"]*),/, ',On or near $1, Town,');
    writeFileSync(f, lines.join('\n'));
    const e = expectRejected([a], 'CSV_MALFORMED', /kent-street\.csv line 6: 13 field\(s\) where police\.uk files have 12.*re-download/);
    expect(e.details.line).toBe(6);
  });

  it('an unclosed quote at the end of the file', () => {
    const a = copy();
    appendFileSync(kentApril(a), ',2018-04,Kent Police,Kent Police,,,"On or near');
    expectRejected([a], 'CSV_MALFORMED', /kent-street\.csv line \d+: a quoted field is not closed/);
  });

  it('an unknown crime type', () => {
    const a = copy();
    const f = kentApril(a);
    const lines = readFileSync(f, 'utf8').split('\n');
    lines[2] = lines[2]!.replace(/,(Anti-social behaviour|Violence and sexual offences|Burglary|Other theft|Public order|Vehicle crime|Criminal damage and arson|Shoplifting|Drugs|Robbery|Other crime|Bicycle theft|Theft from the person|Possession of weapons),/, ',Knife crime,');
    writeFileSync(f, lines.join('\n'));
    expectRejected([a], 'UNKNOWN_CRIME_TYPE', /kent-street\.csv line 3: crime type 'Knife crime' is not one of police\.uk's 14/);
  });

  it('a truncated zip', () => {
    const d = tempDir();
    const z = join(d, 'latest.zip');
    const bytes = readFileSync(g.zip);
    writeFileSync(z, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    expectRejected([z], 'BAD_ZIP', /latest\.zip is not a readable zip archive.*download it again/);
  });

  it('a corrupt zip entry (deflate data damaged)', () => {
    const d = tempDir();
    const z = join(d, 'latest.zip');
    const bytes = Buffer.from(readFileSync(g.zip));
    // damage the compressed data of the first entry: local header is 30 bytes + name
    const nameLen = bytes.readUInt16LE(26);
    const extra = bytes.readUInt16LE(28);
    const start = 30 + nameLen + extra;
    for (let k = start + 10; k < start + 60; k++) bytes[k] = 0xff ^ bytes[k]!;
    writeFileSync(z, bytes);
    const e = expectRejected([z], 'BAD_ZIP', /latest\.zip:2018-04\/.*cannot be read.*download it again/);
    expect(String(e.details.file)).toMatch(/latest\.zip:2018-04\//);
  });

  it('an LSOA absent from the lookup', () => {
    const d = tempDir();
    const lk = join(d, 'lookup.csv');
    const lines = lookupCsv(g.truth).trimEnd().split('\n');
    writeFileSync(lk, lines.filter((l) => !l.startsWith('E01600003,')).join('\n') + '\n');
    const e = expectRejected([g.folder, '--lookup', lk, '--level', 'LAD19CD'], 'LSOA_NOT_IN_LOOKUP', /line \d+: LSOA E01600003 is not in the lookup .*lookup\.csv.*--lsoa-crosswalk/);
    expect(e.details.line).toBeGreaterThan(1);
  });

  it('the same force-month given twice (two overlapping downloads)', () => {
    expectRejected([g.folder, g.zip], 'DUPLICATE_FORCE_MONTH', /both the street file of essex for 2018-04.*pass only the latest/);
  });

  it('a path that does not exist, and a folder with no street files', () => {
    expectRejected(['/nonexistent/archive'], 'FILE_UNREADABLE', /does not exist/);
    const d = tempDir();
    mkdirSync(join(d, '2018-04'));
    expectRejected([d], 'NO_STREET_FILES', /no street-level files/);
  });
});
