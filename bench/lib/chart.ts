/**
 * The headline chart: one horizontal bar per headline ratio, each on its own scale with its target drawn as a
 * line, green when met and red when not. Plain SVG written by hand, no dependencies.
 * @module
 */
import type { Check } from './report';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An SVG of the checks that carry a ratio. */
export function barChart(checks: readonly Check[], title: string): string {
  const rows = checks.filter((c) => c.ratio);
  const labelW = 330;
  const barW = 360;
  const rowH = 34;
  const top = 44;
  const width = labelW + barW + 190;
  const height = top + rows.length * rowH + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="24" font-size="16" font-weight="600">${esc(title)}</text>`,
  ];
  rows.forEach((c, i) => {
    const r = c.ratio as NonNullable<Check['ratio']>;
    const y = top + i * rowH;
    const scale = Math.max(r.value, r.limit) * 1.25 || 1;
    const w = Math.max(1, (r.value / scale) * barW);
    const lx = labelW + (r.limit / scale) * barW;
    const color = c.met === false ? '#d64545' : '#2f9e44';
    parts.push(
      `<text x="12" y="${y + 18}">${esc(`${c.section}: ${c.figure}`)}</text>`,
      `<rect x="${labelW}" y="${y + 5}" width="${barW}" height="20" fill="#f1f3f5"/>`,
      `<rect x="${labelW}" y="${y + 5}" width="${w.toFixed(1)}" height="20" fill="${color}"/>`,
      `<line x1="${lx.toFixed(1)}" x2="${lx.toFixed(1)}" y1="${y + 1}" y2="${y + 29}" stroke="#212529" stroke-width="2"/>`,
      `<text x="${labelW + barW + 10}" y="${y + 18}">${esc(`${r.value.toFixed(2)} (target ${r.better === 'lower' ? '<=' : '>='} ${r.limit})`)}</text>`,
    );
  });
  parts.push(
    `<text x="12" y="${height - 10}" fill="#495057">Bars: measured ratio; black line: target. Green met, red not met.</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}
