import { Chat, fileTip, testApp, type TestApp } from './helpers/app';
import type { SqliteStore } from '../src/store/sqlite';
import { FieldCipher, loadKeyRing } from '../src/cases/cipher';

let t: TestApp;
beforeEach(async () => { t = await testApp(); });
afterEach(async () => { await t.close(); });

const db = () => (t.app.store as SqliteStore).raw;
/** Free text is encrypted at rest; the tests decrypt with the app's key ring from DATA_DIR. */
const cipher = () => new FieldCipher(loadKeyRing(t.dir).ring);
const caseCount = () => (db().prepare('SELECT COUNT(*) AS n FROM cases').get() as { n: number }).n;

describe('anonymous tip flow through the SQLite store', () => {
  it('stores the tip before saying it is received, with a code and a secret stored only as a hash', async () => {
    const chat = new Chat(t.app);
    const { ref, secret } = await fileTip(chat);
    expect(chat.text()).toMatch(/Đã nhận và lưu tin báo/);
    const row = db().prepare('SELECT * FROM cases WHERE ref = ?').get(ref) as Record<string, string>;
    expect(row).toBeDefined();
    expect(row.status).toBe('new');
    expect(row.priority).toBe('normal');
    expect(row.category).toBe('drugs');
    expect(row.province).toBe('Nghệ An');
    const stored = JSON.parse(row.fields);
    expect(stored.what).toMatch(/^enc:v1:/);
    expect(row.fields).not.toMatch(/ma túy/);
    const fields = cipher().openFields(stored);
    expect(fields).toMatchObject({ category: 'drugs', province: 'Nghệ An', when: 'ongoing', inDanger: 'no' });
    expect(fields.what).toMatch(/bán ma túy/);
    expect(fields.involved).toBeUndefined();
    expect(fields.contact).toBeUndefined();
    // The secret is never stored in clear, neither in the case nor in the session.
    const digits = secret.replace(/ /g, '');
    const dump = JSON.stringify(db().prepare('SELECT * FROM cases').all()) + JSON.stringify(db().prepare('SELECT * FROM sessions').all());
    expect(dump).not.toContain(digits);
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('marks the tip urgent and gives the emergency answer at once when someone is in danger now', async () => {
    const chat = new Chat(t.app);
    await chat.say('bao tin');
    await chat.tap('Mua bán người');
    await chat.say('An Giang');
    await chat.tap('Bỏ qua');
    await chat.tap('Hôm nay');
    await chat.say('Có mấy cô gái đang bị đưa lên xe khách đi về phía biên giới chiều nay.');
    // Danger wording interrupts with the emergency answer, keeps the text, and offers to continue.
    expect(chat.text()).toMatch(/113/);
    await chat.tap('Tiếp tục tin báo');
    expect(chat.text()).toMatch(/biển số/);
    await chat.say('xe khách màu trắng');
    await chat.tap('Có');
    expect(chat.text()).toMatch(/113/);
    await chat.tap('Không để lại');
    await chat.tap('Gửi tin báo');
    const ref = /BA-[A-Z0-9]{6}/.exec(chat.text())?.[0];
    const row = db().prepare('SELECT priority, fields FROM cases WHERE ref = ?').get(ref) as { priority: string; fields: string };
    expect(row.priority).toBe('urgent');
    expect(cipher().openFields(JSON.parse(row.fields))).toMatchObject({ involved: 'xe khách màu trắng', what: 'Có mấy cô gái đang bị đưa lên xe khách đi về phía biên giới chiều nay.' });
  });

  it('lets the reporter fix a field from the review, then returns to the review', async () => {
    const chat = new Chat(t.app);
    await chat.say('tôi muốn báo tin');
    await chat.tap('Ma túy');
    await chat.say('Hà Giang');
    await chat.say('bản trên núi');
    await chat.tap('Không nhớ rõ');
    await chat.say('Có người mang hàng cấm qua đường mòn vào ban đêm.');
    await chat.tap('Bỏ qua');
    await chat.tap('Không');
    await chat.tap('Không để lại');
    expect(chat.text()).toMatch(/Tỉnh\/thành: Tuyên Quang/);
    await chat.tap('Sửa một mục');
    await chat.tap('Tỉnh/thành');
    await chat.say('Lào Cai');
    expect(chat.text()).toMatch(/kiểm tra lại tin báo/);
    expect(chat.text()).toMatch(/Tỉnh\/thành: Lào Cai/);
    expect(chat.text()).toMatch(/Nơi cụ thể: bản trên núi/);
    await chat.tap('Gửi tin báo');
    expect(caseCount()).toBe(1);
  });

  it('never creates a second case when the same message is delivered again', async () => {
    const chat = new Chat(t.app);
    await chat.say('tôi muốn báo tin');
    await chat.tap('Ma túy');
    await chat.say('Đà Nẵng');
    await chat.tap('Bỏ qua');
    await chat.tap('Hôm qua');
    await chat.say('Một nhóm thanh niên tụ tập sử dụng ma túy trong nhà trọ.');
    await chat.tap('Bỏ qua');
    await chat.tap('Không');
    await chat.tap('Không để lại');
    const send = chat.choices().find((c) => c.label === 'Gửi tin báo')!;
    const first = await chat.payload(send.id, 'platform-msg-1');
    const again = await Promise.all([chat.payload(send.id, 'platform-msg-1'), chat.payload(send.id, 'platform-msg-1')]);
    expect(first.map((m) => m.text).join()).toMatch(/BA-/);
    for (const r of again) expect(r.map((m) => m.text).join()).not.toMatch(/BA-/);
    expect(caseCount()).toBe(1);
  });

  it('returns the same case, code and secret when a turn is re-run after a crash before the session was saved', async () => {
    const chat = new Chat(t.app);
    await chat.say('tôi muốn báo tin');
    await chat.tap('Lừa đảo (việc, mạng)');
    await chat.say('Campuchia');
    await chat.tap('Bỏ qua');
    await chat.tap('Trong tuần này');
    await chat.say('Người quen rủ đi làm ở Campuchia, hứa lương cao, không cần hợp đồng.');
    await chat.tap('Bỏ qua');
    await chat.tap('Không chắc');
    await chat.tap('Không để lại');
    const store = t.app.store;
    const realCommit = store.commitTurn.bind(store);
    store.commitTurn = jest.fn().mockRejectedValueOnce(new Error('disk gone')).mockImplementation(realCommit);
    const send = chat.choices().find((c) => c.label === 'Gửi tin báo')!;
    await chat.payload(send.id, 'm-42');
    const firstRef = /BA-[A-Z0-9]{6}/.exec(chat.text())?.[0];
    const firstSecret = /\d{4} \d{4} \d{4}/.exec(chat.text())?.[0];
    // The process dies before the session was saved (its memory is gone), and the message was not
    // marked processed: the platform redelivers it to the restarted process.
    (t.app.bot as unknown as { remembered: Map<string, unknown> }).remembered.clear();
    await chat.payload(send.id, 'm-42');
    expect(/BA-[A-Z0-9]{6}/.exec(chat.text())?.[0]).toBe(firstRef);
    expect(/\d{4} \d{4} \d{4}/.exec(chat.text())?.[0]).toBe(firstSecret);
    expect(caseCount()).toBe(1);
  });

  it('tells the truth when the store cannot write, keeps the answers, and succeeds on retry', async () => {
    const chat = new Chat(t.app);
    const store = t.app.store;
    const realCreate = store.createCase.bind(store);
    store.createCase = jest.fn().mockRejectedValueOnce(new Error('SQLITE_FULL: database or disk is full')).mockImplementation(realCreate);
    await chat.say('tôi muốn báo tin');
    await chat.tap('Ma túy');
    await chat.say('Cần Thơ');
    await chat.tap('Bỏ qua');
    await chat.tap('Hôm nay');
    await chat.say('Có người giao hàng ma túy bằng xe máy ở bến phà.');
    await chat.tap('Bỏ qua');
    await chat.tap('Không');
    await chat.tap('Không để lại');
    await chat.tap('Gửi tin báo');
    expect(chat.text()).toMatch(/CHƯA lưu được/);
    expect(chat.text()).not.toMatch(/BA-/);
    expect(caseCount()).toBe(0);
    await chat.tap('Gửi lại');
    expect(chat.text()).toMatch(/Đã nhận và lưu/);
    const ref = /BA-[A-Z0-9]{6}/.exec(chat.text())?.[0];
    const row = db().prepare('SELECT fields FROM cases WHERE ref = ?').get(ref) as { fields: string };
    expect(cipher().openFields(JSON.parse(row.fields)).what).toBe('Có người giao hàng ma túy bằng xe máy ở bến phà.');
  });
});

describe('tip_status follow-up', () => {
  it('shows the status with the right code and secret, and lets the reporter add information', async () => {
    const reporter = new Chat(t.app);
    const { ref, secret } = await fileTip(reporter);
    db().prepare("UPDATE cases SET status = 'assigned', messages = ? WHERE ref = ?")
      .run(JSON.stringify([{ from: 'officer', text: 'Quán nước mở cửa đến mấy giờ?', at: new Date().toISOString() }]), ref);
    const later = new Chat(t.app); // another session, even another device
    await later.say('tra cứu tin báo');
    await later.say(ref.toLowerCase().replace('-', ''));
    await later.say(secret);
    expect(later.text()).toMatch(/đã có cán bộ phụ trách/);
    expect(later.text()).toMatch(/Quán nước mở cửa đến mấy giờ\?/);
    await later.tap('Bổ sung / trả lời');
    await later.say('Quán mở đến khoảng 11 giờ đêm.');
    expect(later.text()).toMatch(/Đã lưu thông tin bổ sung/);
    const msgs = JSON.parse((db().prepare('SELECT messages FROM cases WHERE ref = ?').get(ref) as { messages: string }).messages);
    expect(msgs[1].text).toMatch(/^enc:v1:/);
    expect(cipher().openMessage(msgs[1])).toMatchObject({ from: 'reporter', text: 'Quán mở đến khoảng 11 giờ đêm.' });
  });

  it('answers a wrong secret exactly like an unknown code, and locks after repeated failures', async () => {
    const { ref } = await fileTip(new Chat(t.app));
    const a = new Chat(t.app);
    await a.say('kiểm tra tin báo');
    await a.say(ref);
    await a.say('000000000000');
    const wrongSecret = a.text();
    const b = new Chat(t.app);
    await b.say('kiểm tra tin báo');
    await b.say('BA-ZZZZZZ');
    await b.say('000000000000');
    expect(b.text()).toBe(wrongSecret);
    for (let i = 0; i < 4; i++) {
      await a.tap('Nhập lại');
      await a.say(ref);
      await a.say(`00000000000${i}`);
    }
    await a.tap('Nhập lại');
    await a.say(ref);
    await a.say('123412341234');
    expect(a.text()).toMatch(/sai quá nhiều lần/);
  });
});

describe('store outage', () => {
  it('keeps answering, never acknowledges an unstored tip, keeps the answers, and stores it when the store is back', async () => {
    const chat = new Chat(t.app);
    await chat.say('tôi muốn báo tin');
    await chat.tap('Ma túy');
    await chat.say('Bắc Ninh');
    await chat.tap('Bỏ qua');
    await chat.tap('Hôm qua');
    await chat.say('Có người chở hàng cấm bằng xe tải nhỏ ra vào kho lúc nửa đêm.');
    await chat.tap('Bỏ qua');
    await chat.tap('Không');
    await chat.tap('Không để lại');
    // The database goes away: every store call fails.
    const store = t.app.store as unknown as Record<string, unknown>;
    const saved: Record<string, unknown> = {};
    for (const m of ['createCase', 'getSession', 'commitTurn', 'wasProcessed', 'getCaseByRef', 'countAttempts']) {
      saved[m] = store[m];
      store[m] = jest.fn().mockRejectedValue(new Error('connection refused'));
    }
    await chat.tap('Gửi tin báo');
    expect(chat.text()).toMatch(/CHƯA lưu được/);
    // Questions are still answered meanwhile.
    const other = new Chat(t.app);
    await other.say('số điện thoại đường dây nóng');
    expect(other.text()).toMatch(/113/);
    // The store is back.
    Object.assign(store, saved);
    expect(caseCount()).toBe(0);
    await chat.tap('Gửi lại');
    expect(chat.text()).toMatch(/Đã nhận và lưu/);
    expect(caseCount()).toBe(1);
  });
});
