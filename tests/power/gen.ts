/** Generated panels with a known noise for the power tests: y_it = α_i + ξ_t + σ·ε_it, ε i.i.d. N(0, 1). */
import { Rng } from '../../src/core/rng.js';
import { readPanelText, type Panel } from '../../src/core/panel.js';

export function noisePanel(J: number, T: number, sigma: number, seed: number, rho = 0): Panel {
  const rng = new Rng(seed);
  const lines = ['unit,period,y,treated'];
  for (let i = 0; i < J; i++) {
    const a = 10 + 2 * rng.normal();
    let e = rng.normal();
    for (let t = 0; t < T; t++) {
      if (t > 0) e = rho * e + Math.sqrt(1 - rho * rho) * rng.normal();
      const xi = Math.sin(t / 3);
      lines.push(`u${String(i).padStart(3, '0')},${2000 + t},${a + xi + sigma * e},0`);
    }
  }
  return readPanelText(lines.join('\n') + '\n', { outcome: 'y' }, 'generated.csv');
}
