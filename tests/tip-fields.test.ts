/**
 * The tip's fields are defined once (src/cases/tip-fields.ts): the flow asks for exactly them, and the
 * stored type, the create_case arguments, the sealed list, the CSV columns and the dashboard's labels
 * are derived from that one list.
 */
import { z } from 'zod';
import type { FlowNode } from '../src/bundle/schema';
import {
  CATEGORIES, DANGER_ANSWERS, OFFICER_FIELDS, SEALED_FIELDS, TIP_CSV_COLUMNS, TIP_FIELDS, TIP_FIELD_NAMES, tipArgs, tipCsvCells,
  tipFieldsFromArgs, type TipFields,
} from '../src/cases/tip-fields';
import { ENCRYPTED_FIELDS } from '../src/cases/cipher';
import { createCase } from '../src/actions/create_case';
import { TIP_CATEGORIES, TIP_WHENS } from '../src/nlu/tip-facts';
import { core } from './helpers/core';
import { testApp } from './helpers/app';
import { serve } from './helpers/server';

/** Variables of the tip flow that are not fields of the tip: how the flow gets to them. */
const FLOW_ONLY_VARS = ['contact_mode', 'noted'];

const tipFlow = () => {
  const flow = core().bundle.flows.get('tip');
  if (!flow) throw new Error('no tip flow');
  return flow;
};

describe('the tip flow and the tip fields agree', () => {
  const nodes = [...tipFlow().nodes.values()];
  const asking = nodes.filter((n): n is Extract<FlowNode, { type: 'choice' | 'input' }> => (n.type === 'choice' || n.type === 'input') && n.var !== undefined);

  it.each(TIP_FIELD_NAMES)('flows/tip.yaml asks for %s with the kind of question the field says', (name) => {
    const def = TIP_FIELDS[name];
    const node = asking.find((n) => n.var === def.var);
    expect(node).toBeDefined();
    if (def.kind === 'choice') {
      expect(node!.type).toBe('choice');
      // Every option the flow offers is a value the field accepts.
      const values = node!.type === 'choice' ? node!.options.map((o) => o.value) : [];
      for (const v of values) expect([v, (def.schema as z.ZodType).safeParse(v).success]).toEqual([v, true]);
    } else {
      expect(node).toMatchObject({ type: 'input', input: def.kind });
    }
  });

  it('offers exactly the categories and danger answers the fields accept', () => {
    const options = (v: string) => asking.find((n) => n.var === v && n.type === 'choice')!;
    const values = (n: FlowNode) => (n.type === 'choice' ? n.options.map((o) => o.value) : []);
    expect(values(options(TIP_FIELDS.category.var))).toEqual([...CATEGORIES]);
    expect(values(options(TIP_FIELDS.inDanger.var))).toEqual([...DANGER_ANSWERS]);
  });

  it('has no variable that is neither a field nor a flow-only one', () => {
    const fieldVars: string[] = TIP_FIELD_NAMES.map((n) => TIP_FIELDS[n].var);
    const vars = new Set([...asking.map((n) => n.var!), ...nodes.flatMap((n) => (n.type === 'set' ? Object.keys(n.values) : []))]);
    expect([...vars].filter((v) => !fieldVars.includes(v)).sort()).toEqual([...FLOW_ONLY_VARS].sort());
  });

  it('stores the tip with create_case, whose arguments are the fields’ variables', () => {
    const save = nodes.filter((n) => n.type === 'action' && n.action === 'create_case');
    expect(save).toHaveLength(1);
    // The node maps each argument to the field's own variable, and nothing else reaches the action.
    const node = save[0] as Extract<typeof save[0], { type: 'action' }>;
    expect(node.args).toEqual(Object.fromEntries(TIP_FIELD_NAMES.map((n) => [TIP_FIELDS[n].var, TIP_FIELDS[n].var])));
    expect(createCase.args).toBe(tipArgs);
    expect(Object.keys(tipArgs.shape)).toEqual(TIP_FIELD_NAMES.map((n) => TIP_FIELDS[n].var));
  });
});

describe('what a story tells is said in the flow\'s own values', () => {
  it('names only categories and times that the tip flow offers', () => {
    const options = (v: string): string[] => [...tipFlow().nodes.values()].flatMap((n) => (n.type === 'choice' && n.var === v ? n.options.map((o) => o.value) : []));
    expect([...TIP_CATEGORIES]).toEqual(options('category'));
    for (const w of TIP_WHENS) expect(options('when')).toContain(w);
  });
});

describe('what is derived from the field list', () => {
  const args = {
    category: 'drugs', province: 'Nghệ An', place: '  gần chợ  ', when: 'earlier', when_date: '2026-08-15',
    what: ' Bán ma túy ở quán nước. ', involved: '', in_danger: 'no', contact: null, contact_mode: 'none', thread: { crisis: 'x' },
  };

  it('turns the flow’s variables into the stored fields: same names, order and cleaning as always', () => {
    const fields = tipFieldsFromArgs(tipArgs.parse(args));
    expect(Object.keys(fields)).toEqual(['category', 'province', 'place', 'when', 'whenDate', 'what', 'involved', 'inDanger', 'contact']);
    expect(fields).toEqual({
      category: 'drugs', province: 'Nghệ An', place: 'gần chợ', when: 'earlier', whenDate: '2026-08-15',
      what: 'Bán ma túy ở quán nước.', involved: undefined, inDanger: 'no', contact: undefined,
    });
    // The stored shape (what both stores keep) is plain JSON of these.
    expect(JSON.parse(JSON.stringify(fields))).toEqual({
      category: 'drugs', province: 'Nghệ An', place: 'gần chợ', when: 'earlier', whenDate: '2026-08-15', what: 'Bán ma túy ở quán nước.', inDanger: 'no',
    });
  });

  it('refuses what the fields do not accept', () => {
    const bad = (over: Record<string, unknown>) => tipArgs.safeParse({ ...args, ...over }).success;
    expect(bad({})).toBe(true);
    expect(bad({ category: 'weapons' })).toBe(false);
    expect(bad({ province: '  ' })).toBe(false);
    expect(bad({ what: undefined })).toBe(false);
    expect(bad({ when_date: '15/8/2026' })).toBe(false);
    expect(bad({ in_danger: 'maybe' })).toBe(false);
    expect(bad({ involved: 'x'.repeat(2001) })).toBe(false);
  });

  it('types the stored fields: required ones required, the others optional', () => {
    const minimal: TipFields = { category: 'scam', province: 'Huế', what: 'x', inDanger: 'unsure' };
    // @ts-expect-error what is required
    const noWhat: TipFields = { category: 'scam', province: 'Huế', inDanger: 'unsure' };
    // @ts-expect-error not a category
    const badCategory: TipFields = { category: 'weapons', province: 'Huế', what: 'x', inDanger: 'unsure' };
    expect([minimal, noWhat, badCategory]).toHaveLength(3);
  });

  it('seals the free text only', () => {
    expect(SEALED_FIELDS).toEqual(['place', 'what', 'involved', 'contact']);
    expect(ENCRYPTED_FIELDS).toBe(SEALED_FIELDS);
  });

  it('gives the CSV export its tip columns, the date when there is one', () => {
    expect(TIP_CSV_COLUMNS).toEqual(['category', 'province', 'place', 'when', 'what', 'involved', 'in danger']);
    const f: TipFields = { category: 'drugs', province: 'Huế', when: 'earlier', whenDate: '2026-08-15', what: 'w', inDanger: 'yes', contact: '0912' };
    expect(tipCsvCells(f)).toEqual(['drugs', 'Huế', undefined, '2026-08-15', 'w', undefined, 'yes']);
    expect(tipCsvCells({ ...f, whenDate: undefined })[3]).toBe('earlier');
  });

  it('names every field for officers in both languages, and serves the names to the dashboard', async () => {
    expect(OFFICER_FIELDS.map((f) => f.name)).toEqual(TIP_FIELD_NAMES);
    for (const f of OFFICER_FIELDS) expect([f.name, f.label.vi.length > 0, f.label.en.length > 0]).toEqual([f.name, true, true]);
    const t = await testApp();
    const srv = await serve(t.app);
    try {
      const res = await fetch(`${srv.url}/liaison/tip-fields.js`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const m = /^export const TIP_FIELDS = (.*);\n$/s.exec(await res.text());
      expect(JSON.parse(m![1])).toEqual(OFFICER_FIELDS);
    } finally {
      await srv.close();
      await t.close();
    }
  });
});
