/** CSV export for Excel (BOM, Vietnamese, quoting, formula injection) and chart counts, on a fresh queue. */
import { testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { addTip, Client, makeOfficer } from './helpers/liaison';
import { csvCell, toCsv } from '../src/liaison/csv';
import { isoWeek } from '../src/store/port';

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

describe('export and stats over HTTP', () => {
  let t: TestApp;
  let srv: { url: string; close: () => Promise<void> };
  let sup: Client;
  let officerA: Client;

  beforeAll(async () => {
    t = await testApp();
    srv = await serve(t.app);
    await makeOfficer(t.app, { username: 'xuan', role: 'officer', province: 'Nghệ An' });
    await makeOfficer(t.app, { username: 'sup', role: 'supervisor' });
    await makeOfficer(t.app, { username: 'sup.hn', role: 'supervisor', province: 'Hà Nội' });
    sup = new Client(srv.url);
    officerA = new Client(srv.url);
    await sup.login('sup');
    await officerA.login('xuan');
    const formula = await addTip(t.app, { what: '=HYPERLINK("http://evil.example","bấm vào đây")', place: 'Chợ "Đầu Mối", phường Vinh Tân', involved: '@admin +84 912 345 678' });
    await addTip(t.app, { category: 'trafficking', province: 'Hà Nội', what: 'Môi giới đưa phụ nữ sang Trung Quốc lấy chồng,\ncó trả tiền.' });
    await addTip(t.app, { category: 'scam', province: 'Nghệ An', what: '-Tuyển dụng việc nhẹ lương cao ở Campuchia', when: 'last_week' });
    await addTip(t.app, { category: 'scam', province: 'Huế', what: 'Lừa đảo đầu tư tiền ảo qua Zalo.', inDanger: 'unsure' });
    await officerA.post(`/cases/${formula.id}/claim`);
  });
  afterAll(async () => { await srv.close(); await t.close(); });

  it('exports the filtered queue as UTF-8 CSV with BOM, Vietnamese intact, quoted, formulas neutralised; audited', async () => {
    const res = await sup.get('/export.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="binhan-cases-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect([...res.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(res.text.slice(1));
    expect(rows[0]).toEqual(['ref', 'created', 'status', 'priority', 'category', 'province', 'place', 'when', 'what', 'involved', 'in danger', 'assigned', 'disposition']);
    expect(rows).toHaveLength(5);
    const byWhat = (re: RegExp) => rows.find((r) => re.test(r[8]))!;
    const f = byWhat(/HYPERLINK/);
    expect(f[8]).toBe('\'=HYPERLINK("http://evil.example","bấm vào đây")');
    expect(f[6]).toBe('Chợ "Đầu Mối", phường Vinh Tân');
    expect(f[9]).toBe('\'@admin +84 912 345 678');
    expect(f.slice(2, 6)).toEqual(['assigned', 'normal', 'drugs', 'Nghệ An']);
    expect(f[11]).toBe('xuan');
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
