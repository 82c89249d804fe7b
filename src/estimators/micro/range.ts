/**
 * Non-uniqueness of the weights: with thousands of donors and dozens of constraints, many
 * non-negative weightings balance exactly, and each gives its own synthetic post-period total.
 * The range of that total over the whole feasible set
 *
 *     min / max  Σ_j w_j y_j   subject to   Σ_j w_j z_j = t′,  w ≥ 0,
 *
 * (y_j: donor j's post-period total of an outcome; z_j its whitened constraint row, t′ the
 * treated totals; the whitened rows are an exact reparametrisation of the balance constraints
 * with redundant ones removed) is two linear programmes per outcome, solved by HiGHS
 * (Huangfu & Hall 2018; the `highs` npm package, HiGHS compiled to WebAssembly).
 */
import * as highsModule from 'highs';
import type { Highs } from 'highs';
import type { Whitened } from './calibrate.js';

// The package is CommonJS with an ESM build whose default export is the loader.
const highsLoader = (highsModule as unknown as { default: () => Promise<Highs> }).default;
let loaded: Promise<Highs> | null = null;
/** The HiGHS module, loaded once per process. */
export function loadHighs(): Promise<Highs> {
  loaded ??= highsLoader();
  return loaded;
}

export interface LpOutcome {
  status: 'optimal' | 'infeasible' | 'unbounded' | 'failed';
  value: number | null;
  /** HiGHS' model status text. */
  detail: string;
}

/**
 * Optimise c ᵀw over { w ≥ 0 : A w = b } with A given by rows of a dense column-major source:
 * column j of A is `col(j)` (length m). Returns the optimum (or status).
 */
export function solveEqualityLp(highs: Highs, n: number, m: number, colOf: (j: number, out: Float64Array) => void, b: Float64Array, c: Float64Array, maximise: boolean): LpOutcome {
  const starts = new Int32Array(n + 1);
  const indices = new Int32Array(n * m);
  const values = new Float64Array(n * m);
  const col = new Float64Array(m);
  let nz = 0;
  for (let j = 0; j < n; j++) {
    colOf(j, col);
    for (let i = 0; i < m; i++) {
      if (col[i] !== 0) {
        indices[nz] = i;
        values[nz] = col[i]!;
        nz++;
      }
    }
    starts[j + 1] = nz;
  }
  const model = highs.createModel({
    numCols: n,
    numRows: m,
    sense: maximise ? highs.constants.objectiveSense.maximize : highs.constants.objectiveSense.minimize,
    colCost: c,
    colLower: new Float64Array(n),
    colUpper: new Float64Array(n).fill(highs.infinity),
    rowLower: b,
    rowUpper: b,
    matrix: { format: 'csc', numRows: m, numCols: n, starts, indices: indices.subarray(0, nz), values: values.subarray(0, nz) },
  });
  try {
    model.options.set({ output_flag: false, primal_feasibility_tolerance: 1e-9, dual_feasibility_tolerance: 1e-9 });
    model.run();
    const status = model.getModelStatus();
    const codes = highs.constants.modelStatus;
    if (status === codes.optimal) return { status: 'optimal', value: model.getObjectiveValue(), detail: 'optimal' };
    if (status === codes.infeasible) return { status: 'infeasible', value: null, detail: 'infeasible' };
    if (status === codes.unbounded || status === codes.unboundedOrInfeasible) return { status: 'unbounded', value: null, detail: 'unbounded' };
    return { status: 'failed', value: null, detail: `model status ${status}` };
  } finally {
    model.dispose();
  }
}

export interface SyntheticRange {
  min: LpOutcome;
  max: LpOutcome;
}

/**
 * Range of Σ w_j y_j over exactly balancing non-negative weights, for each outcome's donor totals y
 * (one array per outcome, indexed by row). When no constraint is redundant (rank r = p) the LPs use
 * the scaled raw columns x̂ₑ = (1, x/s), which are sparse for counts (the whitened rows are dense,
 * and HiGHS is much faster on the sparse form); otherwise the whitened rows, which drop the
 * redundant constraints.
 */
export async function syntheticRange(W: Whitened, donors: Int32Array, target: Float64Array, ys: readonly Float64Array[], treated: Int32Array): Promise<SyntheticRange[]> {
  const highs = await loadHighs();
  const r = W.r;
  let m: number;
  let colOf: (j: number, out: Float64Array) => void;
  let b: Float64Array;
  if (W.r === W.p) {
    m = W.p;
    const { xsPtr, xsCol, xsVal } = W;
    colOf = (j, out) => {
      out.fill(0);
      out[0] = 1;
      const u = donors[j]!;
      for (let k = xsPtr[u]!; k < xsPtr[u + 1]!; k++) out[xsCol[k]!] = xsVal[k]!;
    };
    b = new Float64Array(m);
    b[0] = treated.length;
    for (let a = 0; a < treated.length; a++) {
      const u = treated[a]!;
      for (let k = xsPtr[u]!; k < xsPtr[u + 1]!; k++) b[xsCol[k]!] = b[xsCol[k]!]! + xsVal[k]!;
    }
  } else {
    m = r;
    colOf = (j, out) => {
      const o = donors[j]! * r;
      for (let c = 0; c < r; c++) out[c] = W.Z[o + c]!;
    };
    b = target;
  }
  return ys.map((y) => {
    const c = new Float64Array(donors.length);
    for (let j = 0; j < donors.length; j++) c[j] = y[donors[j]!]!;
    return {
      min: solveEqualityLp(highs, donors.length, m, colOf, b, c, false),
      max: solveEqualityLp(highs, donors.length, m, colOf, b, c, true),
    };
  });
}
