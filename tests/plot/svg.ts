/**
 * Structure of the SVG that vega writes: each mark is a <g class="mark-<type> role-mark <name>">
 * holding one element per item (path for lines, areas, symbols and bars; line for rules;
 * text for text), each with an aria-label describing its data. Regex-based on purpose:
 * vega's SVG string renderer writes flat, regular markup, and the tests need no XML parser.
 */
export interface MarkGroup {
  type: string;
  name: string;
  items: { tag: string; attrs: string; aria: string | null; text: string | null }[];
}

export function markGroups(svg: string): MarkGroup[] {
  const out: MarkGroup[] = [];
  // an empty mark is a self-closing <g .../>
  const re = /<g class="mark-(\w+) role-mark ([^"]*)"[^>]*?(?:\/>|>(.*?)<\/g>)/gs;
  for (const m of svg.matchAll(re)) {
    const items: MarkGroup['items'] = [];
    for (const it of (m[3] ?? '').matchAll(/<(path|line|text|rect)\b([^>]*?)(?:\/>|>(.*?)<\/\1>)/gs)) {
      const aria = /aria-label="([^"]*)"/.exec(it[2]!);
      items.push({ tag: it[1]!, attrs: it[2]!, aria: aria ? aria[1]! : null, text: it[3] ?? null });
    }
    out.push({ type: m[1]!, name: m[2]!, items });
  }
  return out;
}

/** All items of marks of one type (line, area, rule, symbol, rect, text). */
export function itemsOf(svg: string, type: string) {
  return markGroups(svg)
    .filter((g) => g.type === type)
    .flatMap((g) => g.items);
}

/** Texts of a role (axis-title, legend-label, title-text, title-subtitle, axis-label). */
export function roleTexts(svg: string, role: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<g class="mark-text role-${role}"[^>]*>(.*?)</g>`, 'gs');
  for (const m of svg.matchAll(re)) for (const t of m[1]!.matchAll(/<text[^>]*>(.*?)<\/text>/gs)) out.push(unescape(t[1]!.replace(/<tspan[^>]*>/g, '').replace(/<\/tspan>/g, ' ').trim()));
  return out;
}

function unescape(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/** A stroke-dasharray attribute, if any. */
export function dash(attrs: string): string | null {
  const m = /stroke-dasharray="([^"]*)"/.exec(attrs);
  return m ? m[1]! : null;
}

export function attr(attrs: string, name: string): string | null {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(' ' + attrs);
  return m ? m[1]! : null;
}

/** Every aria-label in the SVG. */
export function ariaLabels(svg: string): string[] {
  return [...svg.matchAll(/aria-label="([^"]*)"/g)].map((m) => unescape(m[1]!));
}
