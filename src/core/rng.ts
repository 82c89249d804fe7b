/**
 * The one source of randomness in vru-eval: a seeded xoshiro128** generator.
 *
 * Every stochastic routine takes an `Rng` argument; nothing calls Math.random.
 * `split()` derives an independent child stream deterministically, so work
 * dealt to several workers gives the same numbers whatever the number of workers
 * (give replication b the stream `rng.stream(b)`).
 *
 * Reference: Blackman & Vigna (2021), "Scrambled linear pseudorandom number
 * generators", ACM TOMS 47(4); seeding by SplitMix32-style mixing of the seed.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;
  /** The seed this generator was built from (recorded in outputs). */
  readonly seed: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    this.seed = seed;
    // Seed expansion: mix the 53-bit seed into four non-zero 32-bit words.
    let h = (Math.floor(Math.abs(seed)) % 4294967296) >>> 0;
    let g = (Math.floor(Math.abs(seed) / 4294967296) ^ (seed < 0 ? 0x9e3779b9 : 0)) >>> 0;
    const next = (): number => {
      h = (h + 0x9e3779b9) >>> 0;
      let z = (h ^ g) >>> 0;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      z = (z ^ (z >>> 16)) >>> 0;
      g = (Math.imul(g, 0x2c1b3c6d) + 0x297a2d39) >>> 0;
      return z;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    const r = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    let n2 = (s2 ^ s0) >>> 0;
    let n3 = (s3 ^ s1) >>> 0;
    const n1 = (s1 ^ n2) >>> 0;
    const n0 = (s0 ^ n3) >>> 0;
    n2 = (n2 ^ t) >>> 0;
    n3 = rotl(n3, 11);
    this.s0 = n0; this.s1 = n1; this.s2 = n2; this.s3 = n3;
    return r;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Standard normal deviate (Marsaglia polar method). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const m = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare = v * m;
        return u * m;
      }
    }
  }

  /** Uniform integer in [0, n). Unbiased (rejection sampling). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) throw new RangeError(`int(n) needs an integer 1..2^32, got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Rademacher draw: −1 or +1 with probability ½ each. */
  sign(): number {
    return (this.nextUint32() & 1) === 0 ? -1 : 1;
  }

  /** Fisher–Yates shuffle of a copy of `xs`. */
  shuffle<T>(xs: readonly T[]): T[] {
    const a = xs.slice();
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i] as T;
      a[i] = a[j] as T;
      a[j] = tmp;
    }
    return a;
  }

  /**
   * A permutation of 0..n-1 whose first `k` entries are a uniform draw of k distinct
   * indices (a partial Fisher–Yates shuffle: only the first k swaps are made).
   */
  partialShuffle(n: number, k: number): Int32Array {
    const idx = Int32Array.from({ length: n }, (_, i) => i);
    for (let j = 0; j < Math.min(k, n); j++) {
      const m = j + this.int(n - j);
      const tmp = idx[j]!;
      idx[j] = idx[m]!;
      idx[m] = tmp;
    }
    return idx;
  }

  /** `k` indices drawn from 0..n-1 with replacement. */
  sampleWithReplacement(n: number, k: number = n): Int32Array {
    const out = new Int32Array(k);
    for (let i = 0; i < k; i++) out[i] = this.int(n);
    return out;
  }

  /**
   * An independent child generator, determined by this generator's seed and `index`
   * only (not by how many numbers have been drawn). Use one stream per bootstrap
   * replication so results do not depend on scheduling.
   */
  stream(index: number): Rng {
    return new Rng(mixSeed(this.seed, index));
  }

  /** A child generator seeded from the next draws of this one (advances this generator). */
  split(): Rng {
    return new Rng(this.nextUint32() * 2097152 + (this.nextUint32() >>> 11));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Deterministic 53-bit mix of (seed, index), used by `Rng.stream`. */
export function mixSeed(seed: number, index: number): number {
  let a = (Math.floor(Math.abs(seed)) % 4294967296) >>> 0;
  let b = ((index + 1) * 0x9e3779b1) >>> 0;
  a = Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) >>> 0;
  b = Math.imul(b ^ (b >>> 13), 0x297a2d39) >>> 0;
  const hi = Math.imul((a ^ b) >>> 0, 0x85ebca6b) >>> 0;
  const lo = Math.imul((a + b + (Math.floor(Math.abs(seed) / 4294967296) >>> 0)) >>> 0, 0xc2b2ae35) >>> 0;
  return (hi >>> 11) * 4294967296 + lo;
}

/** Default seed recorded in every output when the user gives none. */
export const DEFAULT_SEED = 20190401;
