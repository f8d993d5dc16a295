/**
 * Exports (issue #12 item 7, "exports for Vietnamese offices"): the filtered queue (supervisors, as before) and
 * one tip (any officer who may read it), as CSV or XLSX, in Vietnamese (English with ?lang=en), times in Viet
 * Nam time. Every export is audited ("export"): the queue's by the case service, one tip's by cases/export.ts.
 *
 *   GET /export.csv?…filters&lang=vi|en            supervisor, admin
 *   GET /export.xlsx?…filters&lang=vi|en           supervisor, admin
 *   GET /cases/:id/export.csv?lang=vi|en           whoever may read the case (404 outside their scope)
 *   GET /cases/:id/export.xlsx?lang=vi|en          idem
 *
 * The CSV: UTF-8 with a byte-order mark, CRLF, RFC 4180 quoting, formula injection neutralised (liaison/csv.ts).
 * Deliberately no "sep=," first line: Excel reads that line as a delimiter hint but then ignores the BOM and
 * opens the file in the machine's ANSI code page, so every Vietnamese letter turns into mojibake (reported
 * many times, e.g. github.com/Belphemur/vue-json-csv/issues/43, github.com/alexcaza/export-to-csv/issues/119,
 * stackoverflow.com/questions/20395699). Diacritics matter more here than the delimiter guess: where a
 * machine's list separator is ";" and a double-click puts everything in one column, the XLSX export (or Data →
 * From Text/CSV, which reads the BOM and detects the comma) is the answer, not "sep=".
 */
import type { Response } from 'express';
import { z } from 'zod';
import { LANGS, type Lang } from '../cases/labels.js';
import { cellText, exportOneCase, localizeTable, vnIsoDay, type ExportSheet } from '../cases/export.js';
import { toCsv } from './csv.js';
import { CASE_ROLES, SUPERVISOR, type RouteKit } from './kit.js';
import { filterQuery, parse, parseId, toFilter } from './validation.js';
import { toXlsx } from './xlsx.js';

const langParam = { lang: z.enum(LANGS).optional() };
const exportQuery = filterQuery.extend(langParam);
const oneQuery = z.strictObject(langParam);

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function sendCsv(res: Response, sheet: ExportSheet, name: string): void {
  const csv = toCsv(sheet.header, sheet.rows.map((row) => row.map(cellText)));
  res.set('Content-Type', 'text/csv; charset=utf-8');
  res.set('Content-Disposition', `attachment; filename="${name}.csv"`);
  res.send(csv);
}

async function sendXlsx(res: Response, sheet: ExportSheet, name: string, meta: { by: string; at: Date }): Promise<void> {
  const body = await toXlsx(sheet, meta);
  res.set('Content-Type', XLSX_TYPE);
  res.set('Content-Disposition', `attachment; filename="${name}.xlsx"`);
  res.send(body);
}

export function registerExportRoutes({ r, guard, store, cases, now }: Pick<RouteKit, 'r' | 'guard' | 'store' | 'cases' | 'now'>): void {
  const queue = (format: 'csv' | 'xlsx') => guard(SUPERVISOR, async ({ actor, officer }, req, res) => {
    const q = parse(exportQuery, req.query, 'query');
    const { lang: _lang, ...filter } = q;
    const lang: Lang = q.lang ?? 'vi';
    const at = new Date(now());
    const sheet = localizeTable(await cases.exportTable(actor, toFilter(filter)), lang);
    const name = `binhan-cases-${vnIsoDay(at)}`;
    if (format === 'csv') sendCsv(res, sheet, name);
    else await sendXlsx(res, sheet, name, { by: officer.displayName, at });
  });
  r.get('/export.csv', queue('csv'));
  r.get('/export.xlsx', queue('xlsx'));

  const one = (format: 'csv' | 'xlsx') => guard(CASE_ROLES, async ({ actor, officer }, req, res) => {
    const id = parseId(req.params.id);
    const lang: Lang = parse(oneQuery, req.query, 'query').lang ?? 'vi';
    const at = new Date(now());
    const sheet = localizeTable(await exportOneCase(cases, store, actor, id, at), lang);
    // The reference code ("BA-…") names the file; only letters, digits and "-" reach the header.
    const ref = String(sheet.rows[0]?.[0] ?? '').replace(/[^A-Za-z0-9-]/g, '') || 'case';
    const name = `binhan-${ref}-${vnIsoDay(at)}`;
    if (format === 'csv') sendCsv(res, sheet, name);
    else await sendXlsx(res, sheet, name, { by: officer.displayName, at });
  });
  r.get('/cases/:id/export.csv', one('csv'));
  r.get('/cases/:id/export.xlsx', one('xlsx'));
}
