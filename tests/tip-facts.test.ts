import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as placesModule from '../src/bundle/places';
import type { PlacesFile } from '../src/bundle/places';
import { normalize } from '../src/text/normalize';
import { extractTipFacts, TIP_CATEGORIES, TIP_WHENS, WHAT_MIN_WORDS, type PlaceMatcher, type TipFacts } from '../src/nlu/tip-facts';

// The project's place parser on the real content/places.yaml, for the evidence of issue #10.
const realFile = parse(readFileSync(join(__dirname, '..', 'content', 'places.yaml'), 'utf8')) as PlacesFile;
const realPlaces = placesModule.placeResolver(realFile);

/**
 * The tables below run on the place parser as committed before issue #10 (src/bundle/places.ts at 8b96c85:
 * normalise, take off "tỉnh", "ở"…, look the whole up, else the longest known name inside), over a fixed excerpt
 * of content/places.yaml. It knows nothing of spelling ("lao" is Laos, "ba lan" Poland), so the tables show
 * that extractTipFacts tells those apart by itself, and they do not move while the parser and the content grow.
 */
function committedResolver(places: PlacesFile): (text: string) => string | undefined {
  const PREFIX = /^(tinh|thanh pho|tp|o|tai|ben|khu vuc|vung|huyen|xa|phuong|quan)\s+/;
  const index = new Map<string, string>();
  for (const p of [...places.provinces, ...places.abroad, places.unknown]) {
    for (const alias of [p.name, ...p.aliases]) {
      const k = normalize(alias);
      if (k && !index.has(k)) index.set(k, p.name);
    }
  }
  const keys = [...index.keys()].filter((k) => k.length >= 3).sort((a, b) => b.length - a.length);
  return (text: string) => {
    let n = normalize(text);
    const whole = index.get(n);
    if (whole) return whole;
    for (let i = 0; i < 3 && PREFIX.test(n); i++) n = n.replace(PREFIX, '');
    const exact = index.get(n);
    if (exact) return exact;
    const padded = ` ${n} `;
    for (const k of keys) if (padded.includes(` ${k} `)) return index.get(k);
    return undefined;
  };
}

const FIXTURE: PlacesFile = {
  provinces: [
    { name: 'Hà Nội', aliases: ['ha noi', 'hn', 'hanoi', 'thu do'] },
    { name: 'Huế', aliases: ['thua thien hue', 'tp hue', 'hue'] },
    { name: 'Quảng Ninh', aliases: ['ha long', 'mong cai'] },
    { name: 'Nghệ An', aliases: ['vinh'] },
    { name: 'Phú Thọ', aliases: ['Vĩnh Phúc', 'Hòa Bình', 'hoa binh', 'viet tri'] },
    { name: 'Hải Phòng', aliases: ['Hải Dương', 'hp'] },
    { name: 'Đà Nẵng', aliases: ['Quảng Nam', 'dn', 'danang', 'hoi an'] },
    { name: 'Lâm Đồng', aliases: ['da lat', 'dalat'] },
    { name: 'TP. Hồ Chí Minh', aliases: ['Hồ Chí Minh', 'tp hcm', 'tphcm', 'hcm', 'sai gon', 'saigon', 'sg', 'Bà Rịa Vũng Tàu', 'vung tau', 'ho chi minh city', 'hcmc'] },
    { name: 'Thanh Hóa', aliases: ['thanh hoa'] },
  ],
  abroad: [
    { name: 'Campuchia', aliases: ['cambodia', 'cam pu chia', 'cpc', 'bavet'] },
    { name: 'Myanmar', aliases: ['mianma', 'myanma', 'mien dien', 'burma'] },
    { name: 'Lào', aliases: ['laos', 'sang lao', 'ben lao', 'qua lao', 'nuoc lao'] },
    { name: 'Trung Quốc', aliases: ['trung quoc', 'china', 'tq'] },
    { name: 'Đài Loan', aliases: ['dai loan', 'taiwan', 'đài bắc', 'taipei'] },
    { name: 'Nhật Bản', aliases: ['nhat ban', 'nhật', 'sang nhat', 'ben nhat', 'nuoc nhat', 'japan'] },
    { name: 'Châu Âu', aliases: ['europe', 'ba lan', 'poland'] },
    { name: 'Nước ngoài (khác)', aliases: ['nuoc ngoai', 'abroad', 'overseas'] },
  ],
  unknown: { name: 'Không rõ', aliases: ['không rõ', 'không biết', 'unknown', 'not sure'] },
};
const places = committedResolver(FIXTURE);
const facts = (text: string): TipFacts => extractTipFacts(text, { places });

describe('extractTipFacts: the evidence of issue #10 (real content/places.yaml)', () => {
  it('tells province, time, plate, phone and category from the Hải Phòng story', () => {
    const text = 'ở Hải Phòng có một xe biển số 15A-123.45 tối nào cũng chở một bé gái 15 tuổi đến khách sạn Hoa Hồng, có người đàn ông gọi số 0912 000 111 để hẹn';
    const f = extractTipFacts(text, { places: realPlaces });
    expect(f.province).toBe('Hải Phòng');
    expect(f.when).toBe('ongoing');
    expect(f.involved).toEqual(['15A-123.45', '0912 000 111']);
    // child_abuse, not prostitution: a 15-year-old taken to a hotel for a man who "arranges" by phone is a child
    // in sexual exploitation. She is a victim (under 16 it is a crime against a child whatever was paid), the
    // tip belongs with child protection (111), and "prostitution" would file the child as the offender.
    expect(f.category).toBe('child_abuse');
    expect(f.what).toBe(text);
    expect(f.items.map((x) => x.kind)).toEqual(['plate', 'phone']);
  });

  it('tells trafficking and Taiwan from the broker story, with and without diacritics', () => {
    for (const text of ['một người môi giới đưa anh tôi sang Đài Loan, giữ hộ chiếu', 'mot nguoi moi gioi dua anh toi sang dai loan, giu ho chieu']) {
      const f = extractTipFacts(text, { places: realPlaces });
      expect(f.category).toBe('trafficking');
      expect(f.province).toBe('Đài Loan');
      expect(f.when).toBeUndefined();
      expect(f.involved).toEqual([]);
      expect(f.what).toBe(text); // 13 syllables (Vietnamese words are counted by syllable)
    }
  });

  it('keeps the reporter’s own number and home out of the facts (the self-introduction of the issue)', () => {
    const f = extractTipFacts('Tôi là Nguyễn Thị Lan, số của tôi 0987654321, nhà tôi ở Hà Nội. Hôm qua tôi thấy ở Đà Nẵng có người bán ma túy, zalo 0912345678', { places: realPlaces });
    expect(f.involved).toEqual(['0912345678']);
    expect(f.province).toBe('Đà Nẵng');
    expect(f.places).toEqual(['Đà Nẵng']);
    expect(f.category).toBe('drugs');
    expect(f.when).toBe('yesterday');
  });
});

describe('extractTipFacts: with the project’s place parser on content/places.yaml', () => {
  const table: [string, string, string | undefined][] = [
    ['a province', 'có người bán ma túy ở Hải Phòng', 'Hải Phòng'],
    ['no diacritics', 'co nguoi ban ma tuy o hai phong', 'Hải Phòng'],
    ['a country', 'bị đưa sang Campuchia làm việc', 'Campuchia'],
    ['a country in English', 'they took him to Taiwan', 'Đài Loan'],
    ['"lao động" is not Laos', 'đi xuất khẩu lao động ở Hà Tĩnh', 'Hà Tĩnh'],
    ['"cập nhật" is not Japan', 'tôi sẽ cập nhật sau, chuyện ở Nghệ An', 'Nghệ An'],
    ['"không biết" is not a place', 'tôi không biết nó ở đâu', undefined],
  ];
  test.each(table)('%s', (_label, text, expected) => {
    expect(extractTipFacts(text, { places: realPlaces }).province).toBe(expected);
  });

  it('takes a matcher that also tells the kind of place', () => {
    const kinds: PlaceMatcher = (text) => {
      const name = places(text);
      if (!name) return undefined;
      return { name, kind: name === 'Không rõ' ? 'unknown' : FIXTURE.abroad.some((p) => p.name === name) ? 'abroad' : 'province' };
    };
    expect(extractTipFacts('bị lừa sang Đài Loan, không rõ ở đâu', { places: kinds })).toMatchObject({ province: 'Đài Loan', places: ['Đài Loan'] });
    const rich = (placesModule as { placeMatcher?: (f: PlacesFile) => PlaceMatcher }).placeMatcher;
    if (rich) expect(extractTipFacts('ở Hải Phòng có một quán', { places: rich(realFile) }).province).toBe('Hải Phòng');
  });
});

describe('extractTipFacts: category (flows/tip.yaml option values, only from what is said)', () => {
  const table: [string, string, TipFacts['category']][] = [
    ['drugs, Vietnamese', 'hàng xóm nhà tôi bán ma túy cho thanh niên trong xóm', 'drugs'],
    ['drugs, no diacritics', 'hang xom ban ma tuy cho thanh nien', 'drugs'],
    ['drugs, teencode "mt"', 'thag do ban mt o hp', 'drugs'],
    ['drugs, slang', 'tụi nó bay lắc, hút đá suốt đêm trong quán', 'drugs'],
    ['drugs, English', 'my neighbour sells drugs every night', 'drugs'],
    ['prostitution', 'nhà nghỉ đó có gái gọi, chủ chứa mại dâm', 'prostitution'],
    ['prostitution, karaoke', 'quán karaoke cho tiếp viên bán dâm', 'prostitution'],
    ['prostitution, English', 'He runs a brothel near the market', 'prostitution'],
    ['trafficking, sold as a bride', 'chị tôi bị bán sang Trung Quốc làm vợ', 'trafficking'],
    ['trafficking, no diacritics', 'chi toi bi ban lam vo o trung quoc', 'trafficking'],
    ['trafficking, English', 'they were sold to a factory in Myanmar', 'trafficking'],
    ['trafficking wins over a job scam', 'bị lừa sang Campuchia làm việc nhẹ lương cao, bị giam lỏng', 'trafficking'],
    ['trafficking wins over a child’s exploitation (the crime is the sale)', 'bé gái 15 tuổi bị ép bán dâm, bị giữ giấy tờ', 'trafficking'],
    ['child abuse, violence', 'cha dượng đánh đập bé trai 7 tuổi hằng ngày', 'child_abuse'],
    ['child abuse, sexual', 'ông hàng xóm sàm sỡ cháu bé', 'child_abuse'],
    ['child abuse, explicit', 'có người xâm hại học sinh ở trường', 'child_abuse'],
    ['child abuse, a minor sent with clients', 'Dù bé gái mới 14 tuổi, nó vẫn ép đi khách', 'child_abuse'],
    ['child abuse, English', 'a man molested a 12 year old girl', 'child_abuse'],
    ['scam', 'tôi bị lừa đảo chuyển tiền qua app đầu tư', 'scam'],
    ['scam, tasks', 'họ bảo làm nhiệm vụ, nạp tiền rồi chiếm đoạt luôn', 'scam'],
    ['scam, English', 'a fake job page scammed my sister', 'scam'],
    ['negated', 'không phải ma túy, chỉ là thuốc ngủ thôi', undefined],
    ['a question about rehab is not a tip category', 'tôi muốn hỏi về cai nghiện', undefined],
    ['two categories, equally strong: ask', 'nó bán ma túy và lừa đảo người khác', undefined],
    ['a hotel alone says nothing', 'tối qua tôi hẹn bạn ở khách sạn', undefined],
    ['"bị bắn" is not "bị bán"', 'anh ấy bị bắn ở biên giới', undefined],
    ['nothing', 'xin chào', undefined],
  ];
  test.each(table)('%s', (_label, text, expected) => {
    expect(facts(text).category).toBe(expected);
  });

  it('never states "other" and only uses the flow’s values', () => {
    expect(TIP_CATEGORIES).toEqual(['drugs', 'trafficking', 'prostitution', 'child_abuse', 'scam', 'other']);
    for (const [, text] of table) expect(facts(text).category).not.toBe('other');
  });
});

describe('extractTipFacts: when (flows/tip.yaml `when` options)', () => {
  const table: [string, string, TipFacts['when']][] = [
    ['tối nào cũng', 'tối nào cũng có xe đến', 'ongoing'],
    ['vẫn đang', 'đến giờ nó vẫn đang bán', 'ongoing'],
    ['đang', 'nó đang bán ma túy ở đầu ngõ', 'ongoing'],
    ['every night', 'they come every night', 'ongoing'],
    ['still selling', 'he is still selling', 'ongoing'],
    ['since last year and still', 'năm ngoái đến giờ vẫn bán', 'ongoing'],
    ['hôm nay', 'hôm nay nó lại đến', 'today'],
    ['teencode hnay', 'hnay e thay no o cong truong', 'today'],
    ['this morning', 'I saw them this morning', 'today'],
    ['hôm qua', 'hôm qua có người bị đánh', 'yesterday'],
    ['tối qua', 'tối qua nó chở gái đến', 'yesterday'],
    ['toi qua, no diacritics, then a subject', 'toi qua no lai den', 'yesterday'],
    ['yesterday', 'yesterday a man came', 'yesterday'],
    ['tuần này', 'tuần này nó đến ba lần', 'this_week'],
    ['mấy hôm trước', 'mấy hôm trước tôi thấy nó', 'this_week'],
    ['3 ngày trước', 'khoảng 3 ngày trước', 'this_week'],
    ['tháng trước', 'tháng trước nó lừa tôi', 'earlier'],
    ['năm ngoái', 'năm ngoái anh tôi đi', 'earlier'],
    ['cách đây 2 tháng', 'cách đây 2 tháng', 'earlier'],
    ['last week', 'it happened last week', 'earlier'],
    ['two weeks ago', 'two weeks ago they called', 'earlier'],
    ['"đang" inside a past scene', 'hôm qua em thấy nó đang bán hàng', 'yesterday'],
    ['"tôi qua" is not "tối qua"', 'tôi qua nhà nó hỏi', undefined],
    ['toi qua, no diacritics, "I went over"', 'toi qua nha no hoi', undefined],
    ['the day of writing', 'Hôm nay tôi muốn báo tin về một việc', undefined],
    ['a feeling now', 'em đang rất sợ', undefined],
    ['still scared', 'em vẫn còn sợ lắm', undefined],
    ['two different times: ask', 'hôm qua nó gọi, tháng trước nó đến', undefined],
  ];
  test.each(table)('%s', (_label, text, expected) => {
    expect(facts(text).when).toBe(expected);
  });

  it('only uses the flow’s values', () => {
    expect(TIP_WHENS).toEqual(['ongoing', 'today', 'yesterday', 'this_week', 'earlier']);
  });
});

describe('extractTipFacts: province or country (the place parser over the story’s words)', () => {
  const table: [string, string, string | undefined, string[] | null][] = [
    ['province', 'ở Hải Phòng có một quán', 'Hải Phòng', null],
    ['no diacritics, locative', 'o hai phong co mot quan', 'Hải Phòng', null],
    ['former province', 'chuyện ở Hải Dương', 'Hải Phòng', null],
    ['"Vũng Tàu" whole', 'ở Vũng Tàu có một quán', 'TP. Hồ Chí Minh', null],
    ['Sài Gòn', 'trên Sài Gòn', 'TP. Hồ Chí Minh', null],
    ['TP.HCM', 'quán ở TP.HCM', 'TP. Hồ Chí Minh', null],
    ['English city', 'in Saigon last week', 'TP. Hồ Chí Minh', null],
    ['country, English', 'they took her to Taiwan', 'Đài Loan', null],
    ['country, Vietnamese', 'bị đưa sang Campuchia', 'Campuchia', null],
    ['Laos after "sang"', 'bị bán sang Lào', 'Lào', null],
    ['"lao động" is not Laos', 'đi xuất khẩu lao động', undefined, null],
    ['"sang lao dong" is not Laos', 'bi dua sang lao dong chui', undefined, null],
    ['"cập nhật" is not Japan', 'tôi sẽ cập nhật sau', undefined, null],
    ['Japan after "bên"', 'anh tôi làm bên Nhật', 'Nhật Bản', null],
    ['"ba lần" is not Poland', 'nó đến ba lần rồi', undefined, null],
    ['Poland', 'họ đưa người sang Ba Lan', 'Châu Âu', null],
    ['"hòa bình" (peace) is not the province', 'muốn sống hòa bình', undefined, null],
    ['Hòa Bình', 'một quán ở Hòa Bình', 'Phú Thọ', null],
    ['"hai đường" (two roads)', 'có hai đường vào xóm', undefined, null],
    ['a man called Vinh', 'anh Vinh bán hàng', undefined, null],
    ['the city of Vinh', 'quán ở Vinh', 'Nghệ An', null],
    ['"Huệ" is not Huế', 'chị Huệ bị lừa', undefined, null],
    ['Huế', 'ở Huế', 'Huế', null],
    ['an abbreviation after a locative', 'thằng đó ở hp', 'Hải Phòng', null],
    ['an abbreviation alone is nothing', 'máy tính HP bị hỏng', undefined, null],
    ['"không biết" is not a place', 'tôi không biết nó ở đâu', undefined, null],
    ['two places: ask', 'từ Hà Nội sang Campuchia', undefined, ['Hà Nội', 'Campuchia']],
    ['the same place twice', 'ở Hà Nội, cụ thể là Hà Nội cũ', 'Hà Nội', null],
    ['"abroad" gives way to a named country', 'làm ở nước ngoài, cụ thể là Myanmar', 'Myanmar', null],
    ['abroad alone', 'anh tôi đang ở nước ngoài', 'Nước ngoài (khác)', null],
    ['the writer’s home is not the place', 'nhà tôi ở Hà Nội, tôi thấy ở Đà Nẵng có người bán ma túy', 'Đà Nẵng', ['Đà Nẵng']],
    ['a link is not a place', 'trang hanoi-vieclam.com lừa người', undefined, null],
  ];
  test.each(table)('%s', (_label, text, expected, all) => {
    const f = facts(text);
    expect(f.province).toBe(expected);
    if (all !== null) expect(f.places).toEqual(all);
  });
});

describe('extractTipFacts: involved (plates, suspects’ phones, links, accounts)', () => {
  const table: [string, string, string[]][] = [
    ['car plate', 'xe biển số 15A-123.45 đỗ ở đó', ['15A-123.45']],
    ['motorbike plate', 'xe máy 29A1-234.56 chở nó', ['29A1-234.56']],
    ['plate with a space', 'xe 51F 12345 màu trắng', ['51F 12345']],
    ['plate, old style', 'biển 30G-1234', ['30G-1234']],
    ['plate, motorbike with spaces', 'biển số 59-X3 123.45', ['59-X3 123.45']],
    ['phone with spaces', 'gọi số 0912 000 111 để hẹn', ['0912 000 111']],
    ['phone with dots', 'sđt nó 0912.000.111', ['0912.000.111']],
    ['phone +84', 'số +84 912 000 111 gọi tới', ['+84 912 000 111']],
    ['landline', 'số bàn 024 3826 1234', ['024 3826 1234']],
    ['the same phone twice, two ways', 'số 0912000111, gọi lại 0912 000 111', ['0912000111']],
    ['the writer’s own phone is left out', 'số của tôi 0987654321, số của nó 0912345678', ['0912345678']],
    ['URL', 'đăng ký ở https://vieclam-luongcao.xyz/dangky.', ['https://vieclam-luongcao.xyz/dangky']],
    ['www', 'trang www.example.com (giả)', ['www.example.com']],
    ['facebook link', 'trang facebook.com/tuan.beo.99 đăng tuyển', ['facebook.com/tuan.beo.99']],
    ['telegram link', 'nhóm t.me/jobvn99 tuyển người', ['t.me/jobvn99']],
    ['a link holding a number is the link', 'zalo.me/0912345678 là nó', ['zalo.me/0912345678']],
    ['handle', 'tài khoản @tuanbeo99 nhắn tin', ['@tuanbeo99']],
    ['facebook name', 'facebook tên Tuấn Béo nhắn cho em', ['Facebook: Tuấn Béo']],
    ['zalo nick', 'zalo: hoahong88 gửi ảnh', ['Zalo: hoahong88']],
    ['facebook of a suspect', 'facebook của thằng đó tên Hùng Đen', ['Facebook: Hùng Đen']],
    ['the writer’s own facebook is left out', 'facebook của em tên Lan Anh', []],
    ['bank account', 'bắt chuyển vào STK: 0123456789 Vietcombank', ['STK: 0123456789']],
    ['suspect email', 'nó dùng email tuyendung.vn@gmail.com', ['tuyendung.vn@gmail.com']],
    ['the writer’s own email is left out', 'email của tôi là lan@gmail.com', []],
    ['everything together, in order', 'xe 29A-123.45, sđt 0912000111, trang abc-job.vn và @ctv_99', ['29A-123.45', '0912000111', 'abc-job.vn', '@ctv_99']],
    ['no false finds', 'bé 15 tuổi, lớp 10A, ở TP.HCM, gọi 113, 20.000 đồng, v.v., 12h30', []],
  ];
  test.each(table)('%s', (_label, text, expected) => {
    expect(facts(text).involved).toEqual(expected);
  });

  it('gives each item its kind and offsets in the original text', () => {
    const text = 'Xe 15A-123.45, số 0912 000 111, link t.me/abc_1, @abc_2';
    const f = facts(text);
    expect(f.items.map((x) => [x.kind, text.slice(x.start, x.end)])).toEqual([
      ['plate', '15A-123.45'], ['phone', '0912 000 111'], ['url', 't.me/abc_1'], ['handle', '@abc_2'],
    ]);
  });
});

describe('extractTipFacts: the story as the description', () => {
  it(`keeps a story of ${WHAT_MIN_WORDS} words or more, cleaned`, () => {
    const story = 'Tối nào cũng có một chiếc xe\u200b đến đón mấy em gái ở đầu ngõ rồi chở đi đâu không rõ';
    expect(facts(story).what).toBe('Tối nào cũng có một chiếc xe đến đón mấy em gái ở đầu ngõ rồi chở đi đâu không rõ');
  });

  it('leaves a short answer out', () => {
    expect(facts('ma túy ở Hà Nội').what).toBeUndefined();
    expect(facts('ma túy ở Hà Nội')).toMatchObject({ category: 'drugs', province: 'Hà Nội' });
    expect(facts('').what).toBeUndefined();
  });

  it('counts words, not numbers or punctuation', () => {
    expect(facts('1 2 3 4 5 6 7 8 9 10 11 12 13 !!! ??? ...').what).toBeUndefined();
  });

  it('states nothing for a text with nothing in it', () => {
    expect(facts('ok')).toEqual({ involved: [], places: [], items: [] });
  });
});

describe('extractTipFacts: odd input', () => {
  it('reads text typed in NFD like NFC, old tone placement like new', () => {
    const nfd = 'tối qua ở Hải Phòng nó bán ma tuý'.normalize('NFD');
    expect(facts(nfd)).toMatchObject({ when: 'yesterday', province: 'Hải Phòng', category: 'drugs' });
  });

  it('is not fooled by words that are names of JavaScript object members', () => {
    expect(() => facts('constructor __proto__ toString hasOwnProperty valueOf facebook constructor')).not.toThrow();
    expect(facts('constructor __proto__ toString hasOwnProperty valueOf facebook constructor')).toEqual({ involved: [], places: [], items: [] });
  });

  it('reads facts from the first MAX_FACTS_CHARS characters of a wall of text, and keeps the whole as the description', () => {
    const story = 'ở Hải Phòng tối nào cũng có xe 15A-123.45 chở người đến bán ma túy, gọi số 0912 000 111. ';
    const filler = 'bla '.repeat(30_000);
    const text = story + filler + 'xe 29A-999.99 ở Cà Mau';
    const f = facts(text);
    expect(f).toMatchObject({ category: 'drugs', when: 'ongoing', province: 'Hải Phòng', involved: ['15A-123.45', '0912 000 111'] });
    expect(f.what?.length).toBe(text.trim().length);
    expect(f.what?.startsWith(story.trim())).toBe(true);
  });

  it('never throws on control characters, lone surrogates or emoji only', () => {
    for (const t of ['\u0000\u0001', '\ud800', '😀😀😀', '   ', '\n\n', '@', 'http://', '...']) {
      expect(() => facts(t)).not.toThrow();
    }
  });
});

describe('extractTipFacts: bounded time on huge input', () => {
  const budget = 200; // ms for 100 KB
  const size = 100_000;
  const fill = (unit: string): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  test.each([
    ['a long story', fill('ở Hải Phòng có một xe biển số 15A-123.45 tối nào cũng chở một bé gái 15 tuổi đến khách sạn Hoa Hồng, có người đàn ông gọi số 0912 000 111 để hẹn, facebook tên Tuấn Béo, trang abc-job.vn. ')],
    ['no diacritics', fill('o hai phong co mot xe bien so 15a 12345 toi nao cung cho gai, sdt 0912000111. ')],
    ['one word without spaces', fill('a')],
    ['digits', fill('0')],
    ['digits and spaces', fill('1 ')],
    ['plate-like runs', fill('15A-')],
    ['link-like runs', fill('a.')],
    ['at signs', fill('@a')],
    ['place names', fill('Hà Nội ')],
    ['unknown words', fill('xyz ')],
  ])('%s', (_label, text) => {
    expect(text.length).toBe(size);
    extractTipFacts(text, { places }); // warm up: the bot is a long-running process
    const t0 = performance.now();
    extractTipFacts(text, { places });
    expect(performance.now() - t0).toBeLessThan(budget);
  });
});
