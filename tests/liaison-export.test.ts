/**
 * Exports for Vietnamese offices (issue #12 item 7): CSV for Excel (BOM, CRLF, Vietnamese headers and values,
 * Viet Nam time, quoting, formula injection), XLSX (parsed back with exceljs), the one-tip export and who may
 * have it; the labels' one source; and chart counts, on a fresh queue.
 */
import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { addTip, Client, makeOfficer } from './helpers/liaison';
import { csvCell, toCsv } from '../src/liaison/csv';
import { isoWeek } from '../src/store/port';
import { EXPORT_COLUMN_IDS, localizeTable, vnDateTime, vnDay, vnWallClock } from '../src/cases/export';
import { TERMS, VALUE_LABELS, groupOfKey, labelsModule, valueLabel } from '../src/cases/labels';
import { TIP_FIELDS, TIP_FIELD_NAMES } from '../src/cases/tip-fields';
import { core } from './helpers/core';

/** The Vietnamese header of the queue's export, in order. */
const VI_HEADER = ['Mã tin báo', 'Nhận lúc', 'Trạng thái', 'Mức ưu tiên', 'Loại tin', 'Tỉnh/thành', 'Địa điểm', 'Thời gian', 'Sự việc', 'Người/đối tượng liên quan', 'Có người đang gặp nguy hiểm', 'Cán bộ phụ trách', 'Kết quả xử lý'];
const EN_HEADER = ['Reference code', 'Received', 'Status', 'Priority', 'Category', 'Province', 'Place', 'When', 'What happened', 'People or things involved', 'Someone in danger now', 'Officer in charge', 'Disposition'];
const MARKING = 'MẬT — tài liệu nội bộ';

async function readXlsx(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb;
}

/** A small RFC 4180 parser for the test. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += ch;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

describe('csv cells', () => {
  it('quotes, doubles quotes and neutralises formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    for (const f of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx']) expect(csvCell(f).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell(null)).toBe('');
    expect(toCsv(['a'], [['b']])).toBe('\uFEFFa\r\nb\r\n');
  });
});

describe('times in Viet Nam', () => {
  it('writes an instant in Viet Nam time (UTC+7), across midnight and the year end; days as dd/mm/yyyy', () => {
    expect(vnDateTime('2026-12-01T01:30:00.000Z')).toBe('01/12/2026 08:30');
    expect(vnDateTime('2026-11-30T17:05:00Z')).toBe('01/12/2026 00:05');
    expect(vnDateTime('2026-12-31T16:59:00Z')).toBe('31/12/2026 23:59');
    expect(vnDateTime('2026-12-31T17:00:00Z')).toBe('01/01/2027 00:00');
    expect(vnDay('2026-08-15')).toBe('15/08/2026');
    expect(vnWallClock('2026-12-01T01:30:00Z').toISOString()).toBe('2026-12-01T08:30:00.000Z');
  });
});

describe('the labels, one source', () => {
  it('names every coded value in both languages, Vietnamese first, for every value the store and the fields know', () => {
    for (const g of Object.values(VALUE_LABELS)) {
      expect(Object.keys(g.labels)).toEqual([...g.values]);
      for (const v of g.values) {
        const label = (g.labels as Record<string, { vi: string; en: string }>)[v];
        expect(Object.keys(label)).toEqual(['vi', 'en']);
        expect([v, label.vi.length > 0, label.en.length > 0]).toEqual([v, true, true]);
      }
    }
    expect(TERMS.marking.vi).toBe(MARKING);
    // A coded tip field's values are a group's (by the field's valueKey), and the tip flow offers no value without a label.
    const flow = core().bundle.flows.get('tip')!;
    for (const n of TIP_FIELD_NAMES) {
      const def: { var: string; valueKey?: string } = TIP_FIELDS[n];
      if (def.valueKey === undefined) continue;
      const g = groupOfKey(def.valueKey);
      expect([n, g]).toEqual([n, expect.any(String)]);
      const options = [...flow.nodes.values()].flatMap((node) => (node.type === 'choice' && node.var === def.var ? node.options.map((o) => o.value) : []));
      expect(options.length).toBeGreaterThan(0);
      for (const o of options) expect([n, o, valueLabel(g!, o, 'vi') !== o]).toEqual([n, o, true]);
    }
    expect(valueLabel('status', 'closed', 'vi')).toBe('Đã đóng');
    expect(valueLabel('when', 'last_week', 'vi')).toBe('last_week');
  });

  it('keeps no copy of the coded values or the terms in the dashboard, which gets them from the server', () => {
    /** A dashboard module's code, without its comments. */
    const code = (file: string): string => readFileSync(join(__dirname, '..', 'web', 'liaison', file), 'utf8')
      .split('\n').filter((l) => !/^\s*(\/\/|\/\*\*|\*)/.test(l)).join('\n');
    const i18n = code('i18n.js');
    for (const copy of ["s_new:", "p_high:", "c_drugs:", "d_spam:", "w_today:", "au_read:", "a_created:", "r_officer:", "'Đã đóng'", "'Ma túy'", "'Mã tin báo'", "['new',"]) {
      expect([copy, i18n.includes(copy)]).toEqual([copy, false]);
    }
    expect(i18n).toMatch(/from '\.\/labels\.js'/);
    const print = code('print.js');
    expect(print).not.toContain(MARKING);
    expect(print).toMatch(/TERMS\.marking\.vi/);
  });

  it('serves the labels to the dashboard as /liaison/labels.js', async () => {
    const t = await testApp();
    const srv = await serve(t.app);
    try {
      const res = await fetch(`${srv.url}/liaison/labels.js`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = await res.text();
      expect(body).toBe(labelsModule());
      const values = /^export const VALUE_LABELS = (.*);$/m.exec(body)!;
      expect(JSON.parse(values[1]).status.labels.closed).toEqual({ vi: 'Đã đóng', en: 'Closed' });
      // The print view and its style sheet are served with the dashboard.
      for (const asset of ['print.js', 'print.css']) expect((await fetch(`${srv.url}/liaison/${asset}`)).status).toBe(200);
    } finally {
      await srv.close();
      await t.close();
    }
  });
});

describe('export and stats over HTTP', () => {
  let t: TestApp;
  let srv: { url: string; close: () => Promise<void> };
  let sup: Client;
  let officerA: Client;
  let officerHn: Client;
  let formulaId: string;
  let hanoiId: string;

  beforeAll(async () => {
    t = await testApp();
    srv = await serve(t.app);
    await makeOfficer(t.app, { username: 'xuan', role: 'officer', province: 'Nghệ An', displayName: 'Nguyễn Thị Xuân' });
    await makeOfficer(t.app, { username: 'sup', role: 'supervisor', displayName: 'Trần Văn Giám' });
    await makeOfficer(t.app, { username: 'sup.hn', role: 'supervisor', province: 'Hà Nội' });
    await makeOfficer(t.app, { username: 'hoa', role: 'officer', province: 'Hà Nội', displayName: 'Lê Thị Hoa' });
    sup = new Client(srv.url);
    officerA = new Client(srv.url);
    officerHn = new Client(srv.url);
    await sup.login('sup');
    await officerA.login('xuan');
    await officerHn.login('hoa');
    const formula = await addTip(t.app, { what: '=HYPERLINK("http://evil.example","bấm vào đây")', place: 'Chợ "Đầu Mối", phường Vinh Tân', involved: '@admin +84 912 345 678', when: 'this_week' });
    formulaId = formula.id;
    hanoiId = (await addTip(t.app, { category: 'trafficking', province: 'Hà Nội', what: 'Môi giới đưa phụ nữ sang Trung Quốc lấy chồng,\ncó trả tiền.', when: 'earlier', whenDate: '2026-08-15' })).id;
    await addTip(t.app, { category: 'scam', province: 'Nghệ An', what: '-Tuyển dụng việc nhẹ lương cao ở Campuchia', when: 'last_week' });
    await addTip(t.app, { category: 'scam', province: 'Huế', what: 'Lừa đảo đầu tư tiền ảo qua Zalo.', inDanger: 'unsure' });
    await officerA.post(`/cases/${formula.id}/claim`);
  });
  afterAll(async () => { await srv.close(); await t.close(); });

  it('exports the filtered queue as UTF-8 CSV with BOM and CRLF, in Vietnamese, Viet Nam time, quoted, formulas neutralised; audited', async () => {
    const res = await sup.get('/export.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="binhan-cases-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect([...res.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    // No "sep=" line (it would make Excel ignore the BOM): the header is the first line.
    expect(res.text.slice(1).startsWith('Mã tin báo,')).toBe(true);
    expect(res.text.replace(/\r\n/g, '').includes('\r')).toBe(false);
    expect(res.text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(res.text.slice(1));
    expect(rows[0]).toEqual(VI_HEADER);
    expect(rows).toHaveLength(5);
    const byWhat = (re: RegExp) => rows.find((r) => re.test(r[8]))!;
    const f = byWhat(/HYPERLINK/);
    expect(f[8]).toBe('\'=HYPERLINK("http://evil.example","bấm vào đây")');
    expect(f[6]).toBe('Chợ "Đầu Mối", phường Vinh Tân');
    expect(f[9]).toBe('\'@admin +84 912 345 678');
    expect(f.slice(2, 6)).toEqual(['Đã có người nhận', 'Bình thường', 'Ma túy', 'Nghệ An']);
    expect(f[7]).toBe('Trong tuần này');
    expect(f[10]).toBe('Không');
    expect(f[11]).toBe('xuan');
    // Received, in Viet Nam time ("dd/mm/yyyy HH:MM"), not UTC.
    const stored = (await t.app.store.getCase(formulaId))!;
    expect(f[1]).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
    expect(f[1]).toBe(vnDateTime(stored.createdAt));
    expect(f[1]).not.toContain('T');
    // A day the reporter gave, as dd/mm/yyyy; a value with no label, as it is; "unsure" in words.
    expect(byWhat(/Môi giới/)[7]).toBe('15/08/2026');
    expect(byWhat(/Môi giới/)[4]).toBe('Mua bán người');
    expect(byWhat(/Tuyển dụng/)[7]).toBe('last_week');
    expect(byWhat(/Zalo/)[10]).toBe('Không chắc');
    expect(byWhat(/Môi giới/)[8]).toBe('Môi giới đưa phụ nữ sang Trung Quốc lấy chồng,\ncó trả tiền.');
    expect(byWhat(/Tuyển dụng/)[8]).toBe('\'-Tuyển dụng việc nhẹ lương cao ở Campuchia');
    expect(res.text).toContain('Lừa đảo đầu tư tiền ảo qua Zalo.');
    const audit = await t.app.store.listAudit({ officerId: (await t.app.store.getOfficerByUsername('sup'))!.id });
    expect(audit.map((e) => e.action)).toContain('export');

    const scams = parseCsv((await sup.get('/export.csv?category=scam&province=Hu%E1%BA%BF')).text.slice(1));
    expect(scams).toHaveLength(2);
    expect(scams[1][5]).toBe('Huế');
    // A supervisor with a province exports only that province.
    const hn = new Client(srv.url);
    await hn.login('sup.hn');
    const hnRows = parseCsv((await hn.get('/export.csv')).text.slice(1));
    expect(hnRows.slice(1).map((r) => r[5])).toEqual(['Hà Nội']);
  });

  it('exports in English with ?lang=en (times still in Viet Nam time), and refuses an unknown language', async () => {
    const res = await sup.get('/export.csv?lang=en&category=drugs');
    expect(res.status).toBe(200);
    const rows = parseCsv(res.text.slice(1));
    expect(rows[0]).toEqual(EN_HEADER);
    expect(rows).toHaveLength(2);
    expect(rows[1].slice(2, 5)).toEqual(['Assigned', 'Normal', 'Drugs']);
    expect(rows[1][7]).toBe('This week');
    expect(rows[1][10]).toBe('No');
    expect(rows[1][1]).toBe(vnDateTime((await t.app.store.getCase(formulaId))!.createdAt));
    expect((await sup.get('/export.csv?lang=fr')).status).toBe(400);
    expect((await sup.get('/export.xlsx?lang=fr')).status).toBe(400);
  });

  it('labels exactly the columns the case service exports', async () => {
    const actor = { id: (await t.app.store.getOfficerByUsername('sup'))!.id, role: 'supervisor' as const, province: null };
    const table = await t.app.cases.exportTable(actor, {});
    expect(table.header).toEqual([...EXPORT_COLUMN_IDS]);
    expect(localizeTable(table, 'vi').header).toEqual(VI_HEADER);
  });

  it('exports the queue as XLSX: marked MẬT, who and when, a bold frozen header, real dates in Viet Nam time, text never a formula; audited', async () => {
    const supId = (await t.app.store.getOfficerByUsername('sup'))!.id;
    const before = (await t.app.store.listAudit({ officerId: supId })).filter((e) => e.action === 'export').length;
    const res = await sup.get('/export.xlsx');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="binhan-cases-\d{4}-\d{2}-\d{2}\.xlsx"$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    const after = (await t.app.store.listAudit({ officerId: supId })).filter((e) => e.action === 'export').length;
    expect(after).toBe(before + 1);

    const wb = await readXlsx(res.bytes);
    expect(wb.worksheets).toHaveLength(1);
    const ws = wb.worksheets[0];
    expect(ws.name).toBe('Tin báo');
    expect(ws.getCell('A1').value).toBe(MARKING);
    expect(ws.getCell('A1').font?.bold).toBe(true);
    expect(ws.headerFooter.oddHeader).toContain(MARKING);
    const by = String(ws.getCell('A2').value);
    expect(by).toMatch(/^Xuất bởi: Trần Văn Giám · \d{2}\/\d{2}\/\d{4} \d{2}:\d{2} \(giờ Việt Nam\)$/);
    const header = (ws.getRow(3).values as unknown[]).slice(1);
    expect(header).toEqual(VI_HEADER);
    expect(ws.getRow(3).getCell(1).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
    // Printed: the header row on every page, the marking in the page header.
    expect(ws.pageSetup.printTitlesRow).toBe('3:3');
    expect(ws.getCell('A2').isMerged).toBe(true);
    expect(ws.rowCount).toBe(3 + 4);

    const rows = [4, 5, 6, 7].map((n) => ws.getRow(n));
    const formula = rows.find((r) => String(r.getCell(9).value).includes('HYPERLINK'))!;
    // Text stays text: the tip's "=HYPERLINK(…)" is a string cell, exactly as typed (no formula, no apostrophe).
    expect(formula.getCell(9).type).toBe(ExcelJS.ValueType.String);
    expect(formula.getCell(9).value).toBe('=HYPERLINK("http://evil.example","bấm vào đây")');
    expect(formula.getCell(10).value).toBe('@admin +84 912 345 678');
    expect([3, 4, 5, 6].map((c) => formula.getCell(c).value)).toEqual(['Đã có người nhận', 'Bình thường', 'Ma túy', 'Nghệ An']);
    // A real date cell, holding the Viet Nam wall-clock time, shown as dd/mm/yyyy hh:mm.
    const created = formula.getCell(2);
    expect(created.type).toBe(ExcelJS.ValueType.Date);
    expect(created.numFmt).toBe('dd/mm/yyyy hh:mm');
    const stored = (await t.app.store.getCase(formulaId))!;
    expect(Math.abs((created.value as Date).getTime() - vnWallClock(stored.createdAt).getTime())).toBeLessThan(1000);
    // The reporter's day, a date cell too.
    const hanoi = rows.find((r) => String(r.getCell(9).value).startsWith('Môi giới'))!;
    expect(hanoi.getCell(8).type).toBe(ExcelJS.ValueType.Date);
    expect((hanoi.getCell(8).value as Date).toISOString()).toBe('2026-08-15T00:00:00.000Z');
    expect(hanoi.getCell(9).value).toBe('Môi giới đưa phụ nữ sang Trung Quốc lấy chồng,\ncó trả tiền.');

    // The same filters as the CSV; English on request.
    const en = await readXlsx((await sup.get('/export.xlsx?lang=en&category=scam')).bytes);
    expect(en.worksheets[0].name).toBe('Tips');
    expect((en.worksheets[0].getRow(3).values as unknown[]).slice(1)).toEqual(EN_HEADER);
    expect(en.worksheets[0].rowCount).toBe(3 + 2);
    expect(String(en.worksheets[0].getCell('A2').value)).toMatch(/^Exported by: Trần Văn Giám · /);
  });

  it('keeps the queue\'s export to supervisors: an officer gets 403 for the CSV and the XLSX, and nothing is audited', async () => {
    const xuan = (await t.app.store.getOfficerByUsername('xuan'))!.id;
    for (const path of ['/export.csv', '/export.xlsx', '/export.xlsx?lang=en']) {
      const res = await officerA.get(path);
      expect([path, res.status]).toEqual([path, 403]);
      expect(res.body).toMatchObject({ code: 'forbidden_role' });
    }
    expect((await new Client(srv.url).get('/export.xlsx')).status).toBe(401);
    expect((await t.app.store.listAudit({ officerId: xuan })).map((e) => e.action)).not.toContain('export');
  });

  it('exports one tip for an officer who may read it (XLSX and CSV), audited with the case; 404 outside their scope', async () => {
    const xuan = (await t.app.store.getOfficerByUsername('xuan'))!.id;
    const res = await officerA.get(`/cases/${formulaId}/export.xlsx`);
    expect(res.status).toBe(200);
    const stored = (await t.app.store.getCase(formulaId))!;
    expect(res.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="binhan-${stored.ref}-\\d{4}-\\d{2}-\\d{2}\\.xlsx"$`));
    const ws = (await readXlsx(res.bytes)).worksheets[0];
    expect(ws.getCell('A1').value).toBe(MARKING);
    expect(String(ws.getCell('A2').value)).toMatch(/^Xuất bởi: Nguyễn Thị Xuân · /);
    expect((ws.getRow(3).values as unknown[]).slice(1)).toEqual(VI_HEADER);
    expect(ws.rowCount).toBe(4);
    expect(ws.getRow(4).getCell(1).value).toBe(stored.ref);
    expect(ws.getRow(4).getCell(2).type).toBe(ExcelJS.ValueType.Date);
    expect(ws.getRow(4).getCell(9).value).toBe('=HYPERLINK("http://evil.example","bấm vào đây")');
    const audit = await t.app.store.listAudit({ officerId: xuan });
    expect(audit.filter((e) => e.action === 'export').map((e) => e.caseId)).toEqual([formulaId]);

    const csv = await officerA.get(`/cases/${formulaId}/export.csv?lang=en`);
    expect(csv.status).toBe(200);
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(csv.text.slice(1));
    expect(rows[0]).toEqual(EN_HEADER);
    expect(rows).toHaveLength(2);
    expect(rows[1][0]).toBe(stored.ref);
    expect(rows[1][1]).toBe(vnDateTime(stored.createdAt));
    expect(rows[1][8]).toBe('\'=HYPERLINK("http://evil.example","bấm vào đây")');

    // Outside the officer's province: the tip is not even confirmed to exist, and no export is recorded.
    const hoa = (await t.app.store.getOfficerByUsername('hoa'))!.id;
    for (const path of [`/cases/${formulaId}/export.xlsx`, `/cases/${formulaId}/export.csv`]) {
      const out = await officerHn.get(path);
      expect([path, out.status]).toEqual([path, 404]);
      expect(out.headers.get('content-type')).toMatch(/application\/json/);
    }
    expect((await t.app.store.listAudit({ officerId: hoa })).map((e) => e.action)).not.toContain('export');
    // Their own province's tip is theirs to export; an unknown id is 404; anonymous is 401.
    expect((await officerHn.get(`/cases/${hanoiId}/export.xlsx`)).status).toBe(200);
    expect((await officerHn.get('/cases/00000000-0000-4000-8000-000000000000/export.xlsx')).status).toBe(404);
    expect((await new Client(srv.url).get(`/cases/${formulaId}/export.csv`)).status).toBe(401);
    expect((await officerA.get(`/cases/${formulaId}/export.xlsx?status=new`)).status).toBe(400);
  });

  it('counts by category, province, status and week for charts, within scope', async () => {
    const res = await sup.get('/stats');
    expect(res.status).toBe(200);
    const asMap = (xs: { key: string; count: number }[]) => Object.fromEntries(xs.map((x) => [x.key, x.count]));
    expect(asMap(res.body.byCategory)).toEqual({ drugs: 1, trafficking: 1, scam: 2 });
    expect(asMap(res.body.byProvince)).toEqual({ 'Nghệ An': 2, 'Hà Nội': 1, 'Huế': 1 });
    expect(asMap(res.body.byStatus)).toEqual({ new: 3, assigned: 1 });
    expect(asMap(res.body.byWeek)).toEqual({ [isoWeek(new Date())]: 4 });
    const scoped = await officerA.get('/stats');
    expect(asMap(scoped.body.byProvince)).toEqual({ 'Nghệ An': 2 });
    expect(asMap(scoped.body.byCategory)).toEqual({ drugs: 1, scam: 1 });
    const filtered = await sup.get('/stats?category=scam');
    expect(asMap(filtered.body.byProvince)).toEqual({ 'Nghệ An': 1, 'Huế': 1 });
  });
});
