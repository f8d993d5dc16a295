/**
 * Exports for Vietnamese offices: the case service's export table (codes, UTC instants) in the officers' words
 * (cases/labels.ts, Vietnamese unless English is asked for) with times in Viet Nam time, and the one-tip export
 * for any officer who may read the tip. The HTTP layer writes the result as CSV (liaison/csv.ts) or XLSX
 * (liaison/xlsx.ts); nothing here knows a file format.
 */
import type { Store } from '../store/port.js';
import type { Actor, CaseService, CaseView } from './service.js';
import { TIP_CSV_COLUMNS, TIP_FIELDS, TIP_FIELD_NAMES, tipCsvCells } from './tip-fields.js';
import { TERMS, groupOfKey, valueLabel, type Label, type Lang, type ValueGroupName } from './labels.js';

/** Viet Nam keeps UTC+7 all year (no daylight saving). */
const VN_OFFSET_MS = 7 * 3_600_000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const pad = (n: number): string => String(n).padStart(2, '0');

/** The wall-clock time in Viet Nam at an instant, as a Date whose UTC fields read it (a spreadsheet cell has no zone). */
export function vnWallClock(at: string | Date): Date {
  return new Date(new Date(at).getTime() + VN_OFFSET_MS);
}

/** "01/12/2026 08:30": an instant in Viet Nam time; a string that is no instant is given back as it is. */
export function vnDateTime(at: string | Date): string {
  const d = vnWallClock(at);
  if (Number.isNaN(d.getTime())) return String(at);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** "2026-08-15" (a day in Viet Nam) as "15/08/2026". */
export function vnDay(day: string): string {
  const m = DAY.exec(day);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : day;
}

/** "2026-12-01": the day in Viet Nam at an instant (file names). */
export function vnIsoDay(at: string | Date): string {
  return vnWallClock(at).toISOString().slice(0, 10);
}

/** A cell of an export: text, an instant (shown in Viet Nam time), or a day. */
export type ExportCell = string | { readonly time: string } | { readonly day: string };

/** A localized export: the header and the rows, in one language. */
export interface ExportSheet {
  readonly lang: Lang;
  /** The columns' ids (CaseService.exportTable's header), for the file writer's layout. */
  readonly ids: readonly string[];
  readonly header: readonly string[];
  readonly rows: readonly (readonly ExportCell[])[];
}

type Kind = { readonly type: 'text' } | { readonly type: 'time' } | { readonly type: 'code'; readonly group: ValueGroupName; readonly days: boolean };
interface Column { readonly label: Label; readonly kind: Kind }

const TEXT: Kind = { type: 'text' };
const code = (group: ValueGroupName): Kind => ({ type: 'code', group, days: false });

/**
 * The columns of the export, by the ids of CaseService.exportTable's header: the case's own columns, then the
 * tip's (cases/tip-fields.ts: their labels, their coded values' group by `valueKey`, a preferred date field).
 */
const COLUMNS: ReadonlyMap<string, Column> = new Map<string, Column>([
  ['ref', { label: TERMS.ref, kind: TEXT }],
  ['created', { label: TERMS.createdAt, kind: { type: 'time' } }],
  ['status', { label: TERMS.status, kind: code('status') }],
  ['priority', { label: TERMS.priority, kind: code('priority') }],
  ...TIP_FIELD_NAMES.flatMap((n): [string, Column][] => {
    const def: { csv?: { header: string; preferring?: string }; label: Label; valueKey?: string } = TIP_FIELDS[n];
    if (!def.csv) return [];
    const preferred = def.csv.preferring as keyof typeof TIP_FIELDS | undefined;
    const days = preferred !== undefined && TIP_FIELDS[preferred].kind === 'date';
    const group = def.valueKey !== undefined ? groupOfKey(def.valueKey) : undefined;
    const kind: Kind = group ? { type: 'code', group, days } : TEXT;
    return [[def.csv.header, { label: def.label, kind }]];
  }),
  ['assigned', { label: TERMS.assignedTo, kind: TEXT }],
  ['disposition', { label: TERMS.disposition, kind: code('disposition') }],
]);

/** The export's column ids, in order: the same as CaseService.exportTable's header (a test holds them together). */
export const EXPORT_COLUMN_IDS: readonly string[] = ['ref', 'created', 'status', 'priority', ...TIP_CSV_COLUMNS, 'assigned', 'disposition'];

function cell(kind: Kind, value: unknown, lang: Lang): ExportCell {
  if (value === null || value === undefined || value === '') return '';
  const s = String(value);
  if (kind.type === 'time') return { time: s };
  if (kind.type === 'code') {
    if (kind.days && DAY.test(s)) return { day: s };
    return valueLabel(kind.group, s, lang) ?? '';
  }
  return s;
}

/** The service's export table (codes, instants) in a language: labelled header, labelled values, times kept as instants. */
export function localizeTable(table: { header: readonly string[]; rows: readonly (readonly unknown[])[] }, lang: Lang): ExportSheet {
  const columns = table.header.map((id) => COLUMNS.get(id) ?? { label: { vi: id, en: id }, kind: TEXT });
  return {
    lang,
    ids: [...table.header],
    header: columns.map((c) => c.label[lang]),
    rows: table.rows.map((row) => columns.map((c, i) => cell(c.kind, row[i], lang))),
  };
}

/** A cell as text: instants as "dd/mm/yyyy HH:MM" in Viet Nam time, days as "dd/mm/yyyy". */
export function cellText(c: ExportCell): string {
  if (typeof c === 'string') return c;
  return 'time' in c ? vnDateTime(c.time) : vnDay(c.day);
}

/** A case the officer read (CaseView) as a row of the export table (the same cells as CaseService.exportTable's). */
export function caseRow(c: CaseView): unknown[] {
  const assigned = c.assignedTo ? c.assignedTo.username || c.assignedTo.id : '';
  return [c.ref, c.createdAt, c.status, c.priority, ...tipCsvCells(c.fields), assigned, c.disposition];
}

/**
 * One tip as an export table, for any officer who may read it: the case service's read checks the role and the
 * scope (a tip outside it is 404, like reading it) and audits the read; the export itself is audited too
 * ("export" with the case), before anything is returned, as the queue's export is.
 */
export async function exportOneCase(cases: CaseService, store: Pick<Store, 'addAudit'>, actor: Actor, id: string, at: Date): Promise<{ header: string[]; rows: unknown[][] }> {
  const view = await cases.get(actor, id);
  await store.addAudit({ at: at.toISOString(), officerId: actor.id, action: 'export', caseId: view.id });
  return { header: [...EXPORT_COLUMN_IDS], rows: [caseRow(view)] };
}
