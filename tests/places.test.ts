/**
 * Places typed at the tip's province question (content/places.yaml, src/bundle/places.ts): the 34 provinces
 * after the 2025 merger, their former names, the cities and towns people name, the countries people are
 * taken to or cheated about, and "không rõ" — with and without diacritics, in English, with "tỉnh"/"tp".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { placeMatcher, placeResolver, type PlacesFile } from '../src/bundle/places';
import { parseInput } from '../src/engine/inputs';
import { Engine } from '../src/engine/engine';
import type { Input, StepResult } from '../src/engine/types';
import { core } from './helpers/core';
import { normalize } from '../src/text/normalize';
import { ROOT } from './helpers/tmp';

const places = YAML.parse(readFileSync(join(ROOT, 'content', 'places.yaml'), 'utf8')) as PlacesFile;
const match = placeMatcher(places);
const resolve = placeResolver(places);

const HCM = 'TP. Hồ Chí Minh';

// [typed, canonical name]
const PROVINCES: [string, string][] = [
  // Cities and towns as people type them, accented, unaccented, English, with prefixes.
  ['Sài Gòn', HCM], ['sai gon', HCM], ['Saigon', HCM], ['SG', HCM], ['tp.hcm', HCM], ['TPHCM', HCM], ['Ho Chi Minh City', HCM],
  ['thành phố Hồ Chí Minh', HCM], ['HCMC', HCM],
  ['Vũng Tàu', HCM], ['vung tau', HCM], ['tp Vũng Tàu', HCM], ['ở Vũng Tàu', HCM], ['thành phố vũng tàu', HCM], ['Vung Tau city', HCM],
  ['Bà Rịa', HCM], ['ba ria vung tau', HCM], ['tỉnh Bà Rịa - Vũng Tàu', HCM], ['Côn Đảo', HCM],
  ['Bình Dương', HCM], ['binh duong', HCM], ['Thủ Dầu Một', HCM], ['thu dau mot', HCM], ['Thủ Đức', HCM], ['tp thu duc', HCM],
  ['Đà Lạt', 'Lâm Đồng'], ['da lat', 'Lâm Đồng'], ['Dalat', 'Lâm Đồng'], ['Phan Thiết', 'Lâm Đồng'], ['phan thiet', 'Lâm Đồng'],
  ['Mũi Né', 'Lâm Đồng'], ['tỉnh Bình Thuận', 'Lâm Đồng'], ['Đắk Nông', 'Lâm Đồng'], ['dak nong', 'Lâm Đồng'],
  ['Hạ Long', 'Quảng Ninh'], ['ha long', 'Quảng Ninh'], ['Halong', 'Quảng Ninh'], ['Móng Cái', 'Quảng Ninh'], ['mong cai', 'Quảng Ninh'],
  ['tp Móng Cái, Quảng Ninh', 'Quảng Ninh'],
  ['Nha Trang', 'Khánh Hòa'], ['nha trang', 'Khánh Hòa'], ['Phan Rang', 'Khánh Hòa'], ['Ninh Thuận', 'Khánh Hòa'], ['Khánh Hoà', 'Khánh Hòa'],
  ['Buôn Ma Thuột', 'Đắk Lắk'], ['buon ma thuot', 'Đắk Lắk'], ['Ban Mê Thuột', 'Đắk Lắk'], ['BMT', 'Đắk Lắk'], ['Tuy Hòa', 'Đắk Lắk'], ['Phú Yên', 'Đắk Lắk'],
  ['Cần Thơ', 'Cần Thơ'], ['can tho', 'Cần Thơ'], ['tp Cần Thơ', 'Cần Thơ'], ['Sóc Trăng', 'Cần Thơ'], ['hau giang', 'Cần Thơ'],
  ['Biên Hòa', 'Đồng Nai'], ['bien hoa', 'Đồng Nai'], ['Biên Hoà', 'Đồng Nai'], ['Bình Phước', 'Đồng Nai'], ['Biên Hòa, Đồng Nai', 'Đồng Nai'],
  ['Quy Nhơn', 'Gia Lai'], ['quy nhon', 'Gia Lai'], ['Qui Nhơn', 'Gia Lai'], ['Bình Định', 'Gia Lai'], ['Pleiku', 'Gia Lai'],
  ['Hội An', 'Đà Nẵng'], ['hoi an', 'Đà Nẵng'], ['Quảng Nam', 'Đà Nẵng'], ['Da Nang', 'Đà Nẵng'], ['danang', 'Đà Nẵng'], ['tp. Đà Nẵng', 'Đà Nẵng'],
  ['Sa Pa', 'Lào Cai'], ['sapa', 'Lào Cai'], ['Yên Bái', 'Lào Cai'], ['Lào Cai', 'Lào Cai'], ['lao cai', 'Lào Cai'],
  ['Vinh', 'Nghệ An'], ['tp Vinh', 'Nghệ An'], ['thành phố Vinh, Nghệ An', 'Nghệ An'], ['nghe an', 'Nghệ An'],
  ['Đồng Hới', 'Quảng Trị'], ['dong hoi', 'Quảng Trị'], ['Quảng Bình', 'Quảng Trị'], ['Đông Hà', 'Quảng Trị'],
  ['Rạch Giá', 'An Giang'], ['rach gia', 'An Giang'], ['Phú Quốc', 'An Giang'], ['phu quoc', 'An Giang'], ['đảo Phú Quốc', 'An Giang'],
  ['Châu Đốc', 'An Giang'], ['chau doc', 'An Giang'], ['Long Xuyên', 'An Giang'], ['long xuyen', 'An Giang'], ['Kiên Giang', 'An Giang'], ['Hà Tiên', 'An Giang'],
  ['Cà Mau', 'Cà Mau'], ['ca mau', 'Cà Mau'], ['Bạc Liêu', 'Cà Mau'], ['bac lieu', 'Cà Mau'], ['tỉnh Bạc Liêu', 'Cà Mau'],
  ['Mỹ Tho', 'Đồng Tháp'], ['my tho', 'Đồng Tháp'], ['Tiền Giang', 'Đồng Tháp'], ['Sa Đéc', 'Đồng Tháp'],
  ['Vĩnh Long', 'Vĩnh Long'], ['vinh long', 'Vĩnh Long'], ['Bến Tre', 'Vĩnh Long'], ['ben tre', 'Vĩnh Long'], ['Trà Vinh', 'Vĩnh Long'], ['ở Bến Tre', 'Vĩnh Long'],
  ['Tây Ninh', 'Tây Ninh'], ['tay ninh', 'Tây Ninh'], ['Long An', 'Tây Ninh'], ['cửa khẩu Mộc Bài', 'Tây Ninh'],
  ['Hà Nội', 'Hà Nội'], ['ha noi', 'Hà Nội'], ['Hanoi', 'Hà Nội'], ['HN', 'Hà Nội'], ['Hà Đông', 'Hà Nội'],
  ['Huế', 'Huế'], ['hue', 'Huế'], ['thừa thiên huế', 'Huế'],
  ['Hải Dương', 'Hải Phòng'], ['Hai Phong', 'Hải Phòng'], ['Nam Định', 'Ninh Bình'], ['Hà Giang', 'Tuyên Quang'], ['Vĩnh Phúc', 'Phú Thọ'],
  ['Hòa Bình', 'Phú Thọ'], ['Hoà Bình', 'Phú Thọ'], ['Bắc Giang', 'Bắc Ninh'], ['Thái Bình', 'Hưng Yên'], ['Kon Tum', 'Quảng Ngãi'], ['Bắc Kạn', 'Thái Nguyên'],
  ['Thanh Hoá', 'Thanh Hóa'], ['thanh hoa', 'Thanh Hóa'], ['Sầm Sơn', 'Thanh Hóa'],
  ['tỉnh Nghệ An', 'Nghệ An'], ['xã Nghi Phong, tỉnh Nghệ An', 'Nghệ An'], ['ở Hà Nội ạ', 'Hà Nội'], ['Đà Nẵng nha', 'Đà Nẵng'],
  ['in Nha Trang', 'Khánh Hòa'], ['Quang Ninh province', 'Quảng Ninh'], ['em ở Cần Thơ', 'Cần Thơ'], ['huyện Củ Chi', HCM], ['quận Gò Vấp', HCM], ['quận 7', HCM], ['Quận 1, Sài Gòn', HCM],
  ['thị xã Sơn Tây', 'Hà Nội'], ['gần chợ Bến Thành, Sài Gòn', HCM],
];

const ABROAD: [string, string][] = [
  ['Campuchia', 'Campuchia'], ['campuchia', 'Campuchia'], ['Cambodia', 'Campuchia'], ['cam pu chia', 'Campuchia'], ['CPC', 'Campuchia'],
  ['sang Cam', 'Campuchia'], ['gần Bavet', 'Campuchia'], ['Sihanoukville', 'Campuchia'], ['Phnom Penh', 'Campuchia'],
  ['Myanmar', 'Myanmar'], ['myanma', 'Myanmar'], ['Miến Điện', 'Myanmar'], ['mien dien', 'Myanmar'], ['Burma', 'Myanmar'], ['Myawaddy', 'Myanmar'],
  ['Lào', 'Lào'], ['lao', 'Lào'], ['Laos', 'Lào'], ['sang Lào', 'Lào'], ['bên lào', 'Lào'],
  ['Trung Quốc', 'Trung Quốc'], ['trung quoc', 'Trung Quốc'], ['China', 'Trung Quốc'], ['TQ', 'Trung Quốc'], ['Quảng Châu', 'Trung Quốc'],
  ['Đài Loan', 'Đài Loan'], ['dai loan', 'Đài Loan'], ['Taiwan', 'Đài Loan'], ['taiwan', 'Đài Loan'], ['sang Đài', 'Đài Loan'], ['Đài Bắc', 'Đài Loan'],
  ['Hàn Quốc', 'Hàn Quốc'], ['han quoc', 'Hàn Quốc'], ['Korea', 'Hàn Quốc'], ['South Korea', 'Hàn Quốc'], ['xứ Hàn', 'Hàn Quốc'], ['Hàn', 'Hàn Quốc'],
  ['Nhật Bản', 'Nhật Bản'], ['nhat ban', 'Nhật Bản'], ['Nhật', 'Nhật Bản'], ['nhat', 'Nhật Bản'], ['Japan', 'Nhật Bản'], ['sang Nhật', 'Nhật Bản'],
  ['Malaysia', 'Malaysia'], ['malaysia', 'Malaysia'], ['Mã Lai', 'Malaysia'], ['Kuala Lumpur', 'Malaysia'],
  ['Thái Lan', 'Thái Lan'], ['thai lan', 'Thái Lan'], ['Thailand', 'Thái Lan'], ['Thái', 'Thái Lan'], ['Bangkok', 'Thái Lan'],
  ['UAE', 'UAE (Dubai)'], ['Dubai', 'UAE (Dubai)'], ['dubai', 'UAE (Dubai)'], ['Các Tiểu vương quốc Ả Rập', 'UAE (Dubai)'], ['cac tieu vuong quoc a rap thong nhat', 'UAE (Dubai)'],
  ['Singapore', 'Singapore'], ['singapore', 'Singapore'], ['Xin-ga-po', 'Singapore'], ['Sing', 'Singapore'],
  ['Philippines', 'Philippines'], ['Philippin', 'Philippines'], ['Indonesia', 'Indonesia'], ['Indo', 'Indonesia'],
  ['Nga', 'Nga (Russia)'], ['nga', 'Nga (Russia)'], ['Russia', 'Nga (Russia)'], ['nước Nga', 'Nga (Russia)'], ['Liên bang Nga', 'Nga (Russia)'],
  ['Đức', 'Đức (Germany)'], ['duc', 'Đức (Germany)'], ['Germany', 'Đức (Germany)'], ['sang Đức', 'Đức (Germany)'],
  ['Anh', 'Anh (United Kingdom)'], ['UK', 'Anh (United Kingdom)'], ['nước Anh', 'Anh (United Kingdom)'], ['England', 'Anh (United Kingdom)'], ['London', 'Anh (United Kingdom)'],
  ['Mỹ', 'Mỹ (USA)'], ['my', 'Mỹ (USA)'], ['USA', 'Mỹ (USA)'], ['US', 'Mỹ (USA)'], ['Hoa Kỳ', 'Mỹ (USA)'], ['nước Mỹ', 'Mỹ (USA)'], ['United States', 'Mỹ (USA)'],
  ['Úc', 'Úc (Australia)'], ['uc', 'Úc (Australia)'], ['Australia', 'Úc (Australia)'],
  ['Ả Rập Xê Út', 'Ả Rập Xê Út'], ['a rap xe ut', 'Ả Rập Xê Út'], ['Saudi Arabia', 'Ả Rập Xê Út'], ['Saudi', 'Ả Rập Xê Út'],
  ['Qatar', 'Qatar'], ['qatar', 'Qatar'], ['Romania', 'Romania'], ['Rumani', 'Romania'],
  ['Ba Lan', 'Ba Lan (Poland)'], ['ba lan', 'Ba Lan (Poland)'], ['Poland', 'Ba Lan (Poland)'], ['sang Ba Lan', 'Ba Lan (Poland)'],
  ['Pháp', 'Pháp (France)'], ['France', 'Pháp (France)'], ['Châu Âu', 'Châu Âu'], ['Europe', 'Châu Âu'],
  ['nước ngoài', 'Nước ngoài (khác)'], ['abroad', 'Nước ngoài (khác)'],
  // A country named inside a sentence, and a specific one beside a catch-all.
  ['bị đưa sang Campuchia', 'Campuchia'], ['bi dua sang dai loan lam viec', 'Đài Loan'], ['môi giới đưa người đi Đài Loan', 'Đài Loan'],
  ['a broker took them to Taiwan', 'Đài Loan'], ['lao động nước ngoài', 'Nước ngoài (khác)'], ['ở nước ngoài, cụ thể là Malaysia', 'Malaysia'], ['sang Lào làm việc', 'Lào'],
];

const UNKNOWN: string[] = [
  'không rõ', 'khong ro', 'Không rõ', 'ko rõ', 'k ro', 'không biết', 'khong biet', 'ko bt', 'không nhớ', 'chưa rõ', 'không rõ ạ', 'mình không rõ lắm',
  'unknown', 'Unknown', "don't know", 'I dont know', 'not sure', 'no idea', 'không biết ở đâu',
];

// Must not be taken for a place: ordinary answers and sentences, and words that only look like a name.
const NOT_PLACES: string[] = [
  'thôi em sợ bị lộ lắm', 'thoi em so bi lo lam', 'ok', 'OK', 'không', 'khong', 'k', 'có', 'ừ', 'ừm', 'uhm', 'yes', 'no', 'hủy', 'menu', 'help',
  'tôi muốn báo tin', 'cho em hỏi cái này', 'em sợ lắm', 'bạn là ai', 'cảm ơn', 'gửi đi', '12', 'BA-7K2M9Q',
  'tôi bị lừa ba lần rồi', 'đi lao động', 'tôi đi lao động ở công ty', 'Vĩnh', 'Huệ', 'Ánh', 'chị Nga', 'mà lại', 'nhất định', 'tôi nhất định không nói',
  'Vĩnh Châu', 'cả màu', 'đi ăn', 'là gì', 'bạn nói gì', 'tốt nhất là thôi',
  'Hà Nội và Sài Gòn', // two places: ask which one
];

describe('places typed at the province question', () => {
  it(`has at least 60 cases in its tables (${PROVINCES.length + ABROAD.length + UNKNOWN.length} here)`, () => {
    expect(PROVINCES.length + ABROAD.length + UNKNOWN.length).toBeGreaterThanOrEqual(60);
  });

  it.each(PROVINCES)('%s → %s', (typed, name) => {
    expect(resolve(typed)).toBe(name);
    expect(match(typed)?.kind).toBe('province');
  });

  it.each(ABROAD)('%s → %s (abroad)', (typed, name) => {
    expect(resolve(typed)).toBe(name);
    expect(match(typed)?.kind).toBe('abroad');
  });

  it.each(UNKNOWN)('%s → Không rõ', (typed) => {
    expect(match(typed)).toMatchObject({ name: 'Không rõ', kind: 'unknown' });
  });

  it.each(NOT_PLACES)('%s is not a place', (typed) => {
    expect(resolve(typed)).toBeUndefined();
  });

  it('maps every one of the 34 provinces to itself, typed with and without diacritics and with "tỉnh"/"tp"', () => {
    expect(places.provinces).toHaveLength(34);
    for (const p of places.provinces) {
      for (const typed of [p.name, normalize(p.name), `tỉnh ${p.name}`, `tp ${normalize(p.name)}`]) expect([typed, resolve(typed)]).toEqual([typed, p.name]);
    }
  });

  it('keeps what the person named visible next to the province', () => {
    expect(match('Vũng Tàu')).toEqual({ name: HCM, kind: 'province', within: 'Vũng Tàu', label: 'TP. Hồ Chí Minh (Vũng Tàu)' });
    expect(match('vung tau')?.label).toBe('TP. Hồ Chí Minh (Vũng Tàu)');
    expect(match('Biên Hòa, Đồng Nai')?.label).toBe('Đồng Nai (Biên Hòa)');
    expect(match('tỉnh Hà Giang')?.label).toBe('Tuyên Quang (Hà Giang)');
    expect(match('Taiwan')?.label).toBe('Đài Loan (Taiwan)');
    // The province's own name (or its English form) needs no explanation.
    for (const t of ['Nghệ An', 'Hồ Chí Minh', 'Ho Chi Minh City', 'Hanoi', 'tp hcm', 'Da Nang']) expect(match(t)?.within).toBeUndefined();
  });

  it('gives each spelling to one place only', () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const p of [...places.provinces, ...places.abroad, places.unknown]) {
      for (const a of [p.name, ...p.aliases]) {
        const k = normalize(a);
        const o = owner.get(k);
        if (o && o !== p.name) clashes.push(`${a}: ${o} / ${p.name}`);
        owner.set(k, p.name);
      }
    }
    expect(clashes).toEqual([]);
  });

  it('is what the place input of a flow accepts, and says invalid_place otherwise', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseInput('place', 'Vũng Tàu', now, undefined, undefined, resolve)).toEqual({ ok: true, value: HCM });
    expect(parseInput('place', 'Vũng Tàu', now, undefined, undefined, match)).toEqual({ ok: true, value: HCM, label: 'TP. Hồ Chí Minh (Vũng Tàu)' });
    expect(parseInput('place', 'thôi em sợ bị lộ lắm', now, undefined, undefined, match)).toEqual({ ok: false, error: 'invalid_place' });
  });
});

describe('the tip flow\'s province question', () => {
  const { bundle, nlu } = core();
  const engine = new Engine(bundle, nlu, { idleTimeoutMs: 30 * 60_000, threshold: 0.45, places: placeResolver(bundle.content.places) });
  let seq = 0;
  const text = (t: string): Input => ({ kind: 'text', text: t, id: `p${++seq}`, now: Date.UTC(2026, 10, 28, 3) });
  const run = (...inputs: string[]): StepResult => {
    let r = engine.step(undefined, text(inputs[0]));
    for (const t of inputs.slice(1)) r = engine.step(r.session, text(t));
    return r;
  };
  const atProvince = run('tôi muốn báo tin', 'Ma túy');

  it('is where the test starts', () => expect(atProvince.session.at?.node).toBe('province'));

  it.each([
    ['Vũng Tàu', HCM], ['vung tau', HCM], ['Đài Loan', 'Đài Loan'], ['Taiwan', 'Đài Loan'], ['tp Đà Lạt', 'Lâm Đồng'], ['không rõ', 'Không rõ'],
  ])('takes %s as %s and moves on', (typed, name) => {
    const r = engine.step(atProvince.session, text(typed));
    expect(r.session.vars.province).toBe(name);
    expect(r.session.at?.node).not.toBe('province');
  });

  it('asks again, and keeps nothing, when the answer is not a place', () => {
    const r = engine.step(atProvince.session, text('thôi em sợ bị lộ lắm'));
    expect(r.session.vars.province).toBeUndefined();
  });
});
