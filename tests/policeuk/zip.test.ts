/**
 * Reading zip entries (src/policeuk/sources.ts): the inflated bytes equal the files that
 * were zipped, however small the read and inflate buffers (so every way an entry is cut
 * into input reads and output chunks is exercised), for deflated and stored entries; and
 * a wrong CRC-32, a wrong size or an unsupported method in the central directory stops
 * the build with BAD_ZIP naming the entry.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yazl from 'yazl';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { buildPoliceUkPanel } from '../../src/policeuk/build.js';
import { openInput, readZipEntry, streamEntry } from '../../src/policeuk/sources.js';
import { SMALL_POLICEUK_SPEC, type PoliceUkSpec } from '../../src/sim/policeuk.js';
import { tempDir } from '../helpers.js';
import { generate, type Generated } from './helpers.js';

const TOOL = { name: 'vru-eval', version: 'test' };
const TINY: PoliceUkSpec = {
  ...SMALL_POLICEUK_SPEC,
  months: 2,
  forces: [
    { slug: 'kent', name: 'Kent Police', lsoas: 8, lads: 2 },
    { slug: 'essex', name: 'Essex Police', lsoas: 8, lads: 2 },
  ],
  treatedForces: ['kent'],
  effectStart: '2018-05',
  missing: [],
  btpPerMonth: 0,
  stopSearchPerMonth: 5,
};

let g: Generated;
beforeAll(async () => {
  g = await generate(TINY, 5);
});

/** The generated files, zipped again with the given entries stored (not deflated). */
function rezip(stored: (name: string) => boolean): Promise<{ zip: string; files: Map<string, Buffer> }> {
  const dir = tempDir();
  const zip = join(dir, 'mixed.zip');
  return new Promise((resolve, reject) => {
    void openInput(g.folder).then((input) => {
      const files = new Map<string, Buffer>();
      const z = new yazl.ZipFile();
      for (const e of input.entries) {
        const bytes = readFileSync(e.path!);
        files.set(e.name, bytes);
        z.addBuffer(bytes, e.name, { compress: !stored(e.name), mtime: new Date(Date.UTC(2020, 0, 1)) });
      }
      z.end();
      const ws = createWriteStream(zip);
      z.outputStream.pipe(ws);
      ws.on('close', () => resolve({ zip, files }));
      ws.on('error', reject);
    }, reject);
  });
}

/** Central directory record of the zip's first entry: its offset in `bytes`. */
function firstCentralRecord(bytes: Buffer): number {
  const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const cd = bytes.readUInt32LE(eocd + 16);
  expect(bytes.readUInt32LE(cd)).toBe(0x02014b50);
  return cd;
}

async function rejected(zip: string): Promise<InputError> {
  try {
    await buildPoliceUkPanel({ inputs: [zip] }, TOOL);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('the build did not fail');
}

describe('zip entries', () => {
  it('inflate to the zipped bytes for every cut into reads and output chunks; stored entries too; sha256 as of the file', async () => {
    const { zip, files } = await rezip((name) => name.includes('essex'));
    const input = await openInput(zip);
    try {
      let stored = 0;
      for (const e of input.entries) {
        const want = files.get(e.name)!;
        if (e.zip!.method === 0) stored++;
        for (const [inSize, outSize] of [
          [1, 1],
          [7, 13],
          [64, 5],
          [1000, 333],
          [1 << 20, 1 << 18],
        ] as const) {
          const parts: Buffer[] = [];
          readZipEntry(e.zip!, e.display, (c) => parts.push(Buffer.from(c)), Buffer.allocUnsafe(inSize), Buffer.allocUnsafe(outSize));
          expect(Buffer.concat(parts).equals(want), `${e.name} in ${inSize} out ${outSize}`).toBe(true);
        }
        expect(streamEntry(e, () => undefined)).toBe(createHash('sha256').update(want).digest('hex'));
      }
      expect(stored).toBeGreaterThan(0);
      expect(stored).toBeLessThan(input.entries.length);
    } finally {
      input.close();
    }
    // and the panel from the mixed zip is the panel from the folder
    const a = await buildPoliceUkPanel({ inputs: [g.folder] }, TOOL);
    const b = await buildPoliceUkPanel({ inputs: [zip] }, TOOL);
    expect(b.csv).toBe(a.csv);
  });

  it('the one inflater is reset between entries: an entry abandoned part-way or failing on corrupt data does not touch the next', async () => {
    const bytes = Buffer.from(readFileSync(g.zip));
    // damage the deflate data of the entry stored first in the file
    const start = 30 + bytes.readUInt16LE(26) + bytes.readUInt16LE(28);
    for (let k = start + 10; k < start + 60; k++) bytes[k] = 0xff ^ bytes[k]!;
    const z = join(tempDir(), 'damaged.zip');
    writeFileSync(z, bytes);
    const input = await openInput(z);
    const folder = await openInput(g.folder);
    try {
      const first = input.entries.find((e) => e.zip!.localHeader === 0)!;
      const others = input.entries.filter((e) => e !== first);
      const want = (name: string) => readFileSync(folder.entries.find((e) => e.name === name)!.path!);
      const whole = (e: (typeof others)[number]) => {
        const parts: Buffer[] = [];
        readZipEntry(e.zip!, e.display, (c) => parts.push(Buffer.from(c)), Buffer.allocUnsafe(97), Buffer.allocUnsafe(101));
        return Buffer.concat(parts);
      };
      // abandoned after its first output chunk (as when a row is bad)
      expect(() =>
        readZipEntry(others[0]!.zip!, others[0]!.display, () => {
          throw new Error('stop');
        }),
      ).toThrow('stop');
      expect(whole(others[1]!).equals(want(others[1]!.name))).toBe(true);
      // corrupt data: BAD_ZIP, and the next entry still inflates
      expect(() => whole(first)).toThrow(/cannot be read/);
      expect(whole(others[2]!).equals(want(others[2]!.name))).toBe(true);
    } finally {
      input.close();
      folder.close();
    }
  });

  it('a CRC-32 that does not match the inflated bytes is BAD_ZIP naming the entry', async () => {
    const bytes = Buffer.from(readFileSync(g.zip));
    const cd = firstCentralRecord(bytes);
    bytes.writeUInt32LE((bytes.readUInt32LE(cd + 16) ^ 1) >>> 0, cd + 16);
    const z = join(tempDir(), 'latest.zip');
    writeFileSync(z, bytes);
    const e = await rejected(z);
    expect(e.code).toBe('BAD_ZIP');
    expect(e.message).toMatch(/latest\.zip:\d{4}-\d{2}\/.*do not match the CRC-32 in the zip.*download it again/);
  });

  it('an uncompressed size that does not match the inflated bytes is BAD_ZIP naming the entry', async () => {
    const bytes = Buffer.from(readFileSync(g.zip));
    const cd = firstCentralRecord(bytes);
    bytes.writeUInt32LE(bytes.readUInt32LE(cd + 24) + 1, cd + 24);
    const z = join(tempDir(), 'latest.zip');
    writeFileSync(z, bytes);
    const e = await rejected(z);
    expect(e.code).toBe('BAD_ZIP');
    expect(e.message).toMatch(/latest\.zip:\d{4}-\d{2}\/.*bytes inflated where the central directory says.*download it again/);
  });

  it('a compression method other than stored or deflated is BAD_ZIP naming the entry and the method', async () => {
    const bytes = Buffer.from(readFileSync(g.zip));
    const cd = firstCentralRecord(bytes);
    bytes.writeUInt16LE(12, cd + 10); // bzip2
    const z = join(tempDir(), 'latest.zip');
    writeFileSync(z, bytes);
    const e = await rejected(z);
    expect(e.code).toBe('BAD_ZIP');
    expect(e.message).toMatch(/latest\.zip:\d{4}-\d{2}\/.* uses zip compression method 12/);
  });
});
