/**
 * The tip's fields, defined once. Everything else is derived from this list:
 *
 * - `TipFields`, the stored shape of a tip (store/port.ts re-exports it);
 * - the arguments of the `create_case` action (the flow's variable names, checked with zod) and their
 *   mapping to the stored names (`tipFieldsFromArgs`);
 * - `SEALED_FIELDS`, the free text encrypted at rest (cases/cipher.ts);
 * - the tip's columns of the officers' CSV export (`TIP_CSV_COLUMNS`, `tipCsvCells`);
 * - the officers' dashboard labels of the fields, vi and en (`OFFICER_FIELDS`, served to the dashboard).
 *
 * A test (tests/tip-fields.test.ts) checks that flows/tip.yaml asks for exactly these variables, each with
 * the kind of question given here. This module imports nothing of the app: the store and the bundle may use it.
 */
import { z } from 'zod';

export const CATEGORIES = ['drugs', 'trafficking', 'prostitution', 'child_abuse', 'scam', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];
/** "Is anyone in danger right now?" */
export const DANGER_ANSWERS = ['yes', 'no', 'unsure'] as const;

/** How the tip flow asks for a field: a choice node, or an input node of that input kind. */
export type FieldKind = 'choice' | 'place' | 'date' | 'text';

interface FieldDef {
  /** The flow variable (flows/tip.yaml `var:`) and the create_case argument that carries it. */
  readonly var: string;
  readonly kind: FieldKind;
  /** Checks and cleans the create_case argument; an optional field's output includes undefined. */
  readonly schema: z.ZodType;
  /** Encrypted at rest (free text); the others stay queryable (filters, statistics, dates). */
  readonly sealed: boolean;
  /** The field's column in the CSV export; `preferring`: a field whose value, when given, is shown instead. */
  readonly csv?: { readonly header: string; readonly preferring?: string };
  /** The field's name for officers (dashboard). */
  readonly label: { readonly vi: string; readonly en: string };
  /** The dashboard's string key prefix for the field's coded values ("c_" + "drugs"), if they are coded. */
  readonly valueKey?: string;
}

/** Free text, optional: empty and missing are the same (no value). */
const optionalText = z.string().trim().max(2000).nullish().transform((v) => (v ? v : undefined));

/** The fields, by their stored name, in the order they are stored, exported and shown. */
export const TIP_FIELDS = {
  category: {
    var: 'category', kind: 'choice', schema: z.enum(CATEGORIES), sealed: false,
    csv: { header: 'category' }, label: { vi: 'Loại tin', en: 'Category' }, valueKey: 'c_',
  },
  province: {
    var: 'province', kind: 'place', schema: z.string().trim().min(1).max(100), sealed: false,
    csv: { header: 'province' }, label: { vi: 'Tỉnh/thành', en: 'Province' },
  },
  place: {
    var: 'place', kind: 'text', schema: optionalText, sealed: true,
    csv: { header: 'place' }, label: { vi: 'Địa điểm', en: 'Place' },
  },
  when: {
    var: 'when', kind: 'choice', schema: z.string().max(40).nullish().transform((v) => v ?? undefined), sealed: false,
    csv: { header: 'when', preferring: 'whenDate' }, label: { vi: 'Thời gian', en: 'When' }, valueKey: 'w_',
  },
  whenDate: {
    var: 'when_date', kind: 'date', schema: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullish().transform((v) => v ?? undefined), sealed: false,
    label: { vi: 'Ngày', en: 'Date' },
  },
  what: {
    var: 'what', kind: 'text', schema: z.string().trim().min(1).max(2000), sealed: true,
    csv: { header: 'what' }, label: { vi: 'Sự việc', en: 'What happened' },
  },
  involved: {
    var: 'involved', kind: 'text', schema: optionalText, sealed: true,
    csv: { header: 'involved' }, label: { vi: 'Người/đối tượng liên quan', en: 'People or things involved' },
  },
  inDanger: {
    var: 'in_danger', kind: 'choice', schema: z.enum(DANGER_ANSWERS), sealed: false,
    csv: { header: 'in danger' }, label: { vi: 'Có người đang gặp nguy hiểm', en: 'Someone in danger now' }, valueKey: '',
  },
  contact: {
    var: 'contact', kind: 'text', schema: optionalText, sealed: true,
    label: { vi: 'Liên lạc người báo để lại', en: 'Contact the reporter left' },
  },
} as const satisfies Record<string, FieldDef>;

type Defs = typeof TIP_FIELDS;
export type TipFieldName = keyof Defs;
type Value<K extends TipFieldName> = z.output<Defs[K]['schema']>;
type RequiredName = { [K in TipFieldName]: undefined extends Value<K> ? never : K }[TipFieldName];
type Flat<T> = { [K in keyof T]: T[K] };

/** The tip's own fields, as the reporter gave them (sealed ones encrypted at rest). Never the reporter's channel identity. */
export type TipFields = Flat<{ [K in RequiredName]: Value<K> } & { [K in Exclude<TipFieldName, RequiredName>]?: Exclude<Value<K>, undefined> }>;

/** The fields' names in order. */
export const TIP_FIELD_NAMES = Object.keys(TIP_FIELDS) as TipFieldName[];

const defOf = (name: TipFieldName): FieldDef => TIP_FIELDS[name];

/** Free-text fields of a tip that are encrypted at rest; category, province and dates stay queryable. */
export type SealedField = { [K in TipFieldName]: Defs[K]['sealed'] extends true ? K : never }[TipFieldName];
export const SEALED_FIELDS: readonly SealedField[] = TIP_FIELD_NAMES.filter((n): n is SealedField => defOf(n).sealed);

/** The create_case action's arguments: the tip flow's variables, by their flow names. */
type ArgShape = { [K in TipFieldName as Defs[K]['var']]: Defs[K]['schema'] };
export const tipArgs = z.object(Object.fromEntries(TIP_FIELD_NAMES.map((n) => [defOf(n).var, defOf(n).schema])) as ArgShape);
export type TipArgs = z.output<typeof tipArgs>;

/** Checked arguments to the stored fields (every field present, in order; a missing optional one is undefined). */
export function tipFieldsFromArgs(a: TipArgs): TipFields {
  const args = a as Record<string, unknown>;
  return Object.fromEntries(TIP_FIELD_NAMES.map((n) => [n, args[defOf(n).var]])) as TipFields;
}

/** The tip's columns of the CSV export, in order. */
export const TIP_CSV_COLUMNS: readonly string[] = TIP_FIELD_NAMES.flatMap((n) => defOf(n).csv?.header ?? []);

/** A tip's cells for TIP_CSV_COLUMNS (from decrypted fields). */
export function tipCsvCells(f: TipFields): unknown[] {
  const values = f as Record<string, unknown>;
  return TIP_FIELD_NAMES.flatMap((n) => {
    const csv = defOf(n).csv;
    if (!csv) return [];
    return [(csv.preferring !== undefined ? values[csv.preferring] : undefined) ?? values[n]];
  });
}

/** What the officers' dashboard needs to show a tip's fields: in order, with their labels. */
export interface OfficerField { name: TipFieldName; label: { vi: string; en: string }; valueKey?: string }
export const OFFICER_FIELDS: readonly OfficerField[] = TIP_FIELD_NAMES.map((n) => {
  const d = defOf(n);
  return { name: n, label: { vi: d.label.vi, en: d.label.en }, ...(d.valueKey !== undefined ? { valueKey: d.valueKey } : {}) };
});
