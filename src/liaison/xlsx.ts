/**
 * An export as an Excel workbook (exceljs): one sheet, the confidentiality marking in its first row and in the
 * printed page header, who exported it and when (Viet Nam time) in the second, then the header row (bold,
 * frozen with the rows above it, repeated on every printed page, with filters), then the rows.
 *
 * Times are real date cells showing Viet Nam time: a spreadsheet date has no time zone, so the cell holds the
 * wall-clock time in Viet Nam (cases/export.ts vnWallClock). Text stays text: exceljs writes a string as a
 * string cell, never a formula, so "=HYPERLINK(…)" from a tip is shown, not evaluated (no apostrophe needed).
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { term } from '../cases/labels.js';
import { vnDateTime, vnWallClock, type ExportCell, type ExportSheet } from '../cases/export.js';

/** The row of the column names (1: the marking, 2: exported by and when). */
export const HEADER_ROW = 3;
const TIME_FORMAT = 'dd/mm/yyyy hh:mm';
const DAY_FORMAT = 'dd/mm/yyyy';
/** Column widths by column id (characters); the others get DEFAULT_WIDTH. */
const WIDTHS: Record<string, number> = { ref: 14, created: 17, what: 60, involved: 30, place: 28, 'in danger': 14, assigned: 16, disposition: 20 };
const DEFAULT_WIDTH = 16;
/** Rows written between two turns of the event loop. */
const YIELD_EVERY = 500;
/** Free-text columns: wrapped. */
const WRAPPED = new Set(['what', 'involved', 'place']);

/** Excel's page header and footer codes: a literal "&" is written "&&". */
const hfText = (s: string): string => s.replace(/&/g, '&&');

function cellValue(c: ExportCell): { value: string | Date; numFmt?: string } {
  if (typeof c === 'string') return { value: c };
  if ('time' in c) {
    const d = vnWallClock(c.time);
    return Number.isNaN(d.getTime()) ? { value: c.time } : { value: d, numFmt: TIME_FORMAT };
  }
  const [y, m, d] = c.day.split('-').map(Number);
  return { value: new Date(Date.UTC(y, m - 1, d)), numFmt: DAY_FORMAT };
}

/**
 * Writes the workbook with exceljs's streaming writer: each row is committed (turned into XML, zipped) as it is
 * written, so a 50,000-row export does not hold a cell object per value (the in-memory Workbook took about
 * 10 s and 570 MB more for that; this keeps the zipped bytes and one row).
 */
export async function toXlsx(sheet: ExportSheet, meta: { by: string; at: Date }): Promise<Buffer> {
  const { lang } = sheet;
  const marking = term('marking', lang);
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => { sink.on('end', resolve); sink.on('error', reject); });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
  wb.creator = 'Bình An';
  wb.created = meta.at;
  wb.subject = marking;
  const columns = Math.max(sheet.header.length, 1);
  const ws = wb.addWorksheet(term('sheetCases', lang), {
    views: [{ state: 'frozen', xSplit: 0, ySplit: HEADER_ROW }],
    pageSetup: {
      paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0,
      printTitlesRow: `${HEADER_ROW}:${HEADER_ROW}`,
    },
    headerFooter: {
      oddHeader: `&C&"-,Bold"&12${hfText(marking)}`,
      oddFooter: `&L${hfText(marking)}&R&P / &N`,
    },
  });
  // Widths first: the streaming writer writes the columns before the first row.
  ws.columns = sheet.ids.map((id) => ({ width: WIDTHS[id] ?? DEFAULT_WIDTH }));

  const mark = ws.getRow(1);
  mark.getCell(1).value = marking;
  mark.getCell(1).font = { bold: true, size: 14, color: { argb: 'FFC00000' } };
  ws.mergeCells(1, 1, 1, columns);
  mark.commit();
  const by = ws.getRow(2);
  by.getCell(1).value = `${term('exportedBy', lang)}: ${meta.by} · ${vnDateTime(meta.at)} (${term('vnTime', lang)})`;
  by.getCell(1).font = { italic: true };
  ws.mergeCells(2, 1, 2, columns);
  by.commit();

  const head = ws.getRow(HEADER_ROW);
  sheet.header.forEach((h, i) => {
    const c = head.getCell(i + 1);
    c.value = h;
    c.font = { bold: true };
    c.alignment = { vertical: 'middle', wrapText: true };
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7EEF7' } };
    c.border = { bottom: { style: 'thin' } };
  });
  head.commit();
  if (sheet.header.length) ws.autoFilter = { from: { row: HEADER_ROW, column: 1 }, to: { row: HEADER_ROW, column: sheet.header.length } };

  for (let r = 0; r < sheet.rows.length; r++) {
    const line = ws.getRow(HEADER_ROW + 1 + r);
    sheet.rows[r].forEach((c, i) => {
      const v = cellValue(c);
      const target = line.getCell(i + 1);
      target.value = v.value;
      if (v.numFmt) target.numFmt = v.numFmt;
      target.alignment = { vertical: 'top', wrapText: WRAPPED.has(sheet.ids[i]) };
    });
    line.commit();
    // A long export leaves room for the chats and the other requests now and then.
    if (r % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  ws.commit();
  await wb.commit();
  await done;
  return Buffer.concat(chunks);
}
