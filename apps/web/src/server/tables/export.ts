/** A results table as CSV (RFC 4180 quoting) or GitHub Markdown, reference beside ours and the difference. */
import { metricDigits } from '@distillery/core/config';
import type { ResultsTable } from '~/server/tables/results.ts';

type Cell = string | number | null | undefined;

function header(table: ResultsTable): string[] {
  const out = ['model', 'preset', 'overrides'];
  for (const c of table.columns) {
    if (c.metric) out.push(`${c.label} (reference)`, `${c.label} (ours)`, `${c.label} (diff)`);
    else out.push(c.label);
  }
  out.push('run', 'data', 'img', 'epochs');
  return out;
}

function format(value: Cell, digits: number, signed = false): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return `${signed && value > 0 ? '+' : ''}${value.toFixed(digits)}`;
  return value;
}

function body(table: ResultsTable): string[][] {
  return table.rows.map((row) => {
    const cells: string[] = [row.label, row.preset ?? '', row.overrides.join(' ')];
    for (const c of table.columns) {
      const digits = metricDigits(c.metric);
      const ref = row.reference[c.key];
      if (c.metric) cells.push(format(ref, digits), format(row.run?.values[c.key], digits), format(row.diff[c.key], digits, true));
      else cells.push(typeof ref === 'number' ? String(ref) : (ref ?? ''));
    }
    cells.push(row.run?.id ?? '', row.run?.data ?? '', format(row.run?.img, 0), format(row.run?.epochs, 0));
    return cells;
  });
}

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function tableToCsv(table: ResultsTable): string {
  return [header(table), ...body(table)].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function tableToMarkdown(table: ResultsTable): string {
  const head = header(table);
  const lines = [
    `## ${table.title}`,
    '',
    `Source: ${table.source}`,
    '',
    `| ${head.map(mdCell).join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...body(table).map((r) => `| ${r.map(mdCell).join(' | ')} |`),
  ];
  return lines.join('\n') + '\n';
}
