/**
 * Call buttons for the hotlines an answer names (src/channels/calls.ts), and how each platform renders them:
 * Zalo `oa.open.phone`, Messenger `phone_number` (international numbers only), Bot Framework `call` (tel:),
 * Telegram none. Every number here is taken from content/hotlines.yaml, never typed.
 */
import { HotlineBook } from '../src/bundle/hotlines';
import { HotlineCalls, MAX_NAMED_CALLS } from '../src/channels/calls';
import { renderMessages as zalo } from '../src/channels/zalo/render';
import { renderMessages as messenger, internationalNumber, MAX_TEMPLATE_TEXT, messageText } from '../src/channels/messenger/render';
import { renderMessages as botframework } from '../src/channels/botframework/index';
import { renderMessages as telegram, CallbackKeys } from '../src/channels/telegram/render';
import type { OutMessage } from '../src/engine/types';
import { Chat, testApp, type TestApp } from './helpers/app';
import { core } from './helpers/core';

const { bundle } = core();
const hotlines = bundle.content.hotlines;
const hotline = (id: string) => {
  const h = hotlines.find((x) => x.id === id && x.status === 'verified');
  if (!h) throw new Error(`no verified hotline ${id}`);
  return h;
};
const police = hotline('police');
const medical = hotline('medical');
const child = hotline('child');
const consular = hotline('consular');
const consular2 = hotline('consular_2');
const binhYen = hotline('binh_yen');
const ngayMai = hotline('ngay_mai');
const notVerified = hotlines.filter((h) => h.status !== 'verified' && h.dial);
const book = new HotlineBook(hotlines);
const named = (text: string): string[] => book.namedIn(text).map((h) => h.id);
const callLabel = bundle.content.messages.call_label;

/** A dial written the ways people write it: grouped by spaces, dots, or in the national 0… form of a +84 number. */
const grouped = (digits: string, sizes: number[], sep = ' '): string => {
  const parts: string[] = [];
  let at = 0;
  for (const n of sizes) { parts.push(digits.slice(at, at + n)); at += n; }
  if (at < digits.length) parts.push(digits.slice(at));
  return parts.filter(Boolean).join(sep);
};
const national = (dial: string): string => `0${dial.replace(/^\+84/, '')}`;

describe('which hotlines a text names (HotlineBook.namedIn)', () => {
  it('finds each verified hotline however its number is written, in order, once each', () => {
    expect(named(`Gọi ${police.number} hoặc ${medical.number}, rồi lại ${police.number}.`)).toEqual(['police', 'medical']);
    expect(named(`Số ${grouped(binhYen.dial, [4, 3, 3])} (miễn phí)`)).toEqual(['binh_yen']);
    expect(named(`Gọi ${grouped(national(consular.dial), [4, 2, 2, 2])} nhé`)).toEqual(['consular']);
    expect(named(`Gọi ${consular.number} hoặc ${consular2.dial}`)).toEqual(['consular', 'consular_2']);
    expect(named(`Đường dây ${grouped(ngayMai.dial, [3, 3, 4], '.')}.`)).toEqual(['ngay_mai']);
    // Short numbers side by side, and at the end of a sentence.
    expect(named(`Các số ${police.dial} ${medical.dial} ${child.dial}.`)).toEqual(['police', 'medical', 'child']);
  });

  it('does not take a law article, an amount, a date, a longer number or an unverified hotline for a hotline', () => {
    expect(named(`theo Điều ${police.dial} Bộ luật Hình sự`)).toEqual([]);
    expect(named(`article ${medical.dial} of the law`)).toEqual([]);
    expect(named(`phạt ${police.dial}.000 đồng`)).toEqual([]);
    expect(named(`Nghị định số ${child.dial}/2025`)).toEqual([]);
    expect(named(`mã ${police.dial}4 5678 9012`)).toEqual([]);
    // A person's own number (echoed in a tip's review) whose middle group happens to be a hotline's.
    expect(named(`phone 0905 ${child.dial} 222`)).toEqual([]);
    expect(named(`ab${police.dial} và ${medical.dial}x`)).toEqual([]);
    for (const h of notVerified) expect(named(`gọi ${h.number}`)).toEqual([]);
  });

  it('gives the web page the short numbers to link, from the verified hotlines only', () => {
    const short = /data-short="([^"]*)"/.exec(bundle.webPage ?? '')?.[1]?.split(' ');
    expect(short).toEqual(hotlines.filter((h) => h.status === 'verified' && h.dial.length <= 6).map((h) => h.dial));
    expect(short).toEqual(expect.arrayContaining([police.dial, medical.dial, child.dial]));
  });
});

describe('call buttons added for the numbers an answer names (HotlineCalls)', () => {
  const calls = new HotlineCalls(hotlines, callLabel);

  it('adds a labelled call per hotline named, in both languages, at most a few per message', () => {
    const [vi] = calls.add([{ text: `Gọi ${binhYen.number} hoặc ${consular.number}` }], 'vi');
    expect(vi.calls).toEqual([
      { label: callLabel.vi.replace('{{number}}', binhYen.number), dial: binhYen.dial, named: true },
      { label: callLabel.vi.replace('{{number}}', consular.number), dial: consular.dial, named: true },
    ]);
    const [en] = calls.add([{ text: `Call ${police.number}` }], 'en');
    expect(en.calls).toEqual([{ label: callLabel.en.replace('{{number}}', police.number), dial: police.dial, named: true }]);
    const many = hotlines.filter((h) => h.status === 'verified').map((h) => h.number).join(', ');
    expect(calls.add([{ text: many }], 'vi')[0].calls).toHaveLength(MAX_NAMED_CALLS);
    expect(calls.add([{ text: 'Không có số nào ở đây.' }], 'vi')[0].calls).toBeUndefined();
  });

  it('keeps a message\'s own call buttons, and gives no number a second button in the same reply', () => {
    const own = [{ label: 'x', dial: medical.dial }];
    const out = calls.add([
      { text: `Gọi ${police.number} hoặc ${medical.number}` },
      { text: `Hoặc ${medical.number}`, calls: own },
      { text: `Nhắc lại: ${police.number}, ${child.number}` },
    ], 'vi');
    expect(out[0].calls?.map((c) => c.dial)).toEqual([police.dial]);
    expect(out[1].calls).toBe(own);
    expect(out[2].calls?.map((c) => c.dial)).toEqual([child.dial]);
  });
});

describe('the bot adds them only where the channel shows call buttons', () => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp(); });
  afterAll(async () => { await t.close(); });

  it('Zalo, Messenger and Bot Framework get a call for the number the welcome names; Telegram and the web chat do not', async () => {
    const welcome = await new Chat(t.app, undefined, 'test').start();
    const namedThere = welcome.flatMap((m) => book.namedIn(m.text).map((h) => h.dial));
    expect(namedThere.length).toBeGreaterThan(0);
    expect(welcome.flatMap((m) => m.calls ?? [])).toEqual([]);
    for (const channel of ['zalo', 'messenger', 'botframework']) {
      const replies = await new Chat(t.app, undefined, channel).start();
      const added = replies.flatMap((m) => m.calls ?? []);
      expect({ channel, dials: added.map((c) => c.dial) }).toEqual({ channel, dials: namedThere });
      expect(added.every((c) => c.named)).toBe(true);
    }
    expect((await new Chat(t.app, undefined, 'telegram').start()).flatMap((m) => m.calls ?? [])).toEqual([]);
  });

  it('a crisis answer keeps its own call-now buttons first and unmarked', async () => {
    const replies = await new Chat(t.app, undefined, 'zalo').say('cứu tôi với, tôi đang bị nhốt');
    const own = replies.flatMap((m) => m.calls ?? []).filter((c) => !c.named);
    expect(own.length).toBeGreaterThan(0);
    const dials = replies.flatMap((m) => m.calls ?? []).map((c) => c.dial);
    expect(new Set(dials).size).toBe(dials.length);
  });
});

const text = `Gọi ${police.number} hoặc ${consular.number}.`;
const namedCalls = new HotlineCalls(hotlines, callLabel).named(text, 'vi');
const choices = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `kb:entry_${i}`, label: `Mục ${i + 1}` }));

describe('Zalo: named numbers get oa.open.phone buttons where the choices leave room', () => {
  it('puts them before the choices when both fit', () => {
    const [m] = zalo([{ text, calls: namedCalls, choices: choices(2) }]);
    const buttons = m.attachment!.payload.buttons;
    expect(buttons.map((b) => b.type)).toEqual(['oa.open.phone', 'oa.open.phone', 'oa.query.hide', 'oa.query.hide']);
    expect(buttons[0]).toEqual({ title: namedCalls[0].label, type: 'oa.open.phone', payload: { phone_code: police.dial } });
  });

  it('never pushes the choices into a list: five choices keep their buttons and the calls wait', () => {
    const [m] = zalo([{ text, calls: namedCalls, choices: choices(5) }]);
    expect(m.attachment!.payload.buttons.map((b) => b.type)).toEqual(Array(5).fill('oa.query.hide'));
    expect(m.text).toBe(text);
    const [four] = zalo([{ text, calls: namedCalls, choices: choices(4) }]);
    expect(four.attachment!.payload.buttons.map((b) => b.type)).toEqual(['oa.open.phone', ...Array(4).fill('oa.query.hide')]);
  });

  it('a crisis answer\'s own calls still come first, before any choice', () => {
    const own = [{ label: 'x', dial: medical.dial }, { label: 'y', dial: child.dial }];
    const [m] = zalo([{ text, calls: own, choices: choices(2) }]);
    expect(m.attachment!.payload.buttons.map((b) => b.type)).toEqual(['oa.open.phone', 'oa.open.phone', 'oa.query.hide', 'oa.query.hide']);
  });
});

describe('Messenger: phone_number buttons for the numbers it can dial', () => {
  it('dials only full international numbers: +84… as is, a national 0… number with +84, never a short or 1900 number', () => {
    expect(internationalNumber(consular.dial)).toBe(consular.dial);
    expect(internationalNumber(ngayMai.dial)).toBe(`+84${ngayMai.dial.slice(1)}`);
    for (const h of [police, medical, child, binhYen]) expect(internationalNumber(h.dial)).toBeUndefined();
  });

  it('hangs the buttons on a button template with the text, quick replies kept; a short number alone stays plain text', () => {
    const out = messenger([{ text, calls: namedCalls, choices: choices(2) }]);
    expect(out).toHaveLength(1);
    const [m] = out;
    expect(m.text).toBeUndefined();
    expect(m.attachment).toEqual({ type: 'template', payload: { template_type: 'button', text, buttons: [{ type: 'phone_number', title: namedCalls[1].label, payload: consular.dial }] } });
    expect(m.quick_replies?.map((q) => q.payload)).toEqual(['kb:entry_0', 'kb:entry_1']);
    const [plain] = messenger([{ text: `Gọi ${police.number}`, calls: [namedCalls[0]] }]);
    expect(plain).toEqual({ text: `Gọi ${police.number}` });
  });

  it('keeps titles within 20 characters and the template text within 640, the rest of a long text before it', () => {
    const long = `${'Đây là một câu dài về hỗ trợ công dân ở nước ngoài. '.repeat(25)}Gọi ${consular2.number}.`;
    const calls = new HotlineCalls(hotlines, callLabel).named(long, 'en');
    const out = messenger([{ text: long, calls }]);
    expect(out.length).toBeGreaterThan(1);
    const last = out.at(-1)!;
    expect(last.attachment!.payload.text.length).toBeLessThanOrEqual(MAX_TEMPLATE_TEXT);
    for (const b of last.attachment!.payload.buttons) expect(b.title.length).toBeLessThanOrEqual(20);
    expect(last.attachment!.payload.buttons[0].payload).toBe(consular2.dial);
    expect(out.slice(0, -1).every((m) => m.text !== undefined && !m.attachment)).toBe(true);
    expect(out.map(messageText).join(' ').replace(/\s+/g, ' ')).toBe(long.replace(/\s+/g, ' ').trim());
  });
});

describe('Bot Framework: a card of call actions (tel:)', () => {
  it('puts the calls on the message\'s last part and the suggested actions on the last activity', () => {
    const out = botframework([{ text, calls: namedCalls }, { text: 'Bạn cần gì thêm?', choices: choices(2) }]);
    expect(out).toHaveLength(2);
    expect(out[0].attachments).toEqual([{
      contentType: 'application/vnd.microsoft.card.hero',
      content: { buttons: namedCalls.map((c) => ({ type: 'call', title: c.label, value: `tel:${c.dial}` })) },
    }]);
    expect(out[1].attachments).toBeUndefined();
    expect(out[1].suggestedActions?.actions).toHaveLength(2);
  });
});

describe('Telegram: no call buttons (its apps make numbers in a text tappable)', () => {
  it('renders the text alone, whatever calls the message carries', () => {
    const m: OutMessage = { text, calls: namedCalls };
    expect(telegram([m], new CallbackKeys())).toEqual([{ text }]);
  });
});
