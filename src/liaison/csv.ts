/**
 * CSV for spreadsheets: RFC 4180 quoting, CRLF line ends, a UTF-8 byte-order mark so Excel shows
 * Vietnamese correctly, and formula injection neutralised (a cell that starts with = + - @, a tab
 * or a carriage return is prefixed with an apostrophe, so it is shown as text, never evaluated).
 * No "sep=" first line: it makes Excel ignore the BOM (see liaison/export-routes.ts).
 */

export const BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: readonly unknown[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** A whole document: BOM, header, rows. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return BOM + csvLine(header) + rows.map(csvLine).join('');
}
