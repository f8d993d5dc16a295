import { findOwnIdentity, REDACTION_MARKER, type IdentityKind } from '../src/nlu/identity';

type Expected = [IdentityKind, string][];
/** What is flagged, as [kind, the original text of the span]. */
const flagged = (text: string): Expected => findOwnIdentity(text).spans.map((s) => [s.kind, text.slice(s.start, s.end)]);

describe('findOwnIdentity: the writer’s own details, introduced as theirs', () => {
  const own: [string, string, Expected][] = [
    // The evidence of issue #10, as typed there.
    ['issue #10 evidence', 'Tôi là Nguyễn Thị Lan, số của tôi 0987654321, nhà tôi ở …',
      [['name', 'Nguyễn Thị Lan'], ['phone', '0987654321'], ['address', '…']]],
    ['issue #10 with the address written out', 'Tôi là Nguyễn Thị Lan, số của tôi 0987654321, nhà tôi ở thôn Đông, xã Yên Lạc, huyện Yên Định. Tôi muốn báo tin.',
      [['name', 'Nguyễn Thị Lan'], ['phone', '0987654321'], ['address', 'thôn Đông, xã Yên Lạc, huyện Yên Định']]],
    ['issue #10 without diacritics', 'toi la Nguyen Thi Lan, so cua toi 0987654321, nha toi o thon Dong, xa Yen Lac',
      [['name', 'Nguyen Thi Lan'], ['phone', '0987654321'], ['address', 'thon Dong, xa Yen Lac']]],
    ['tên tôi là', 'Tên tôi là Trần Văn Hùng, tôi muốn báo một việc', [['name', 'Trần Văn Hùng']]],
    ['tên của em là', 'tên của em là Hoa', [['name', 'Hoa']]],
    ['em tên là … ạ', 'Dạ em tên là Lan ạ, em 15 tuổi', [['name', 'Lan']]],
    ['lowercase name after "tên"', 'em tên lan, năm nay 14 tuổi', [['name', 'lan']]],
    ['mình tên là', 'mình tên là Ngọc Anh, học lớp 9', [['name', 'Ngọc Anh']]],
    ['after a greeting', 'Chào bạn, tôi là Minh', [['name', 'Minh']]],
    ['a greeting without a comma is not "my friend"', 'Chào bạn tôi là Minh', [['name', 'Minh']]],
    ['lowercase full name with a surname', 'tôi là nguyễn văn tài, ở quê lên', [['name', 'nguyễn văn tài']]],
    ['"tài" is a name, "tại" is not', 'Tên tôi là nguyễn văn tài tại Hà Nội', [['name', 'nguyễn văn tài']]],
    ['sđt của em là, dotted', 'sđt của em là 0912.345.678 nhé', [['phone', '0912.345.678']]],
    ['SĐT tôi: +84', 'SĐT tôi: +84 912 345 678', [['phone', '+84 912 345 678']]],
    ['two numbers, "hoặc"', 'số điện thoại của mình là 098 765 4321 hoặc 0912345678', [['phone', '098 765 4321'], ['phone', '0912345678']]],
    ['a label opening a clause after the name', 'Tôi là Lan, sđt 0987654321', [['name', 'Lan'], ['phone', '0987654321']]],
    ['a bare number right after the name', 'Tôi là Lan, 0987654321', [['name', 'Lan'], ['phone', '0987654321']]],
    ['call me on', 'Nếu cần, cán bộ gọi cho tôi theo số 0987654321', [['phone', '0987654321']]],
    ['landline', 'điện thoại nhà tôi … à, số của tôi là 024 3826 1234', [['phone', '024 3826 1234']]],
    ['CCCD của tôi', 'CCCD của tôi là 001234567890', [['id_number', '001234567890']]],
    ['CMND 9 digits', 'số CMND của em: 123456789', [['id_number', '123456789']]],
    ['CCCD in groups', 'căn cước công dân của tôi 0012 3456 7890', [['id_number', '0012 3456 7890']]],
    ['passport', 'hộ chiếu của tôi số C1234567', [['id_number', 'C1234567']]],
    ['email', 'email của mình: lan.nguyen@gmail.com', [['email', 'lan.nguyen@gmail.com']]],
    ['street address', 'nhà tôi ở số 12 ngõ 34 phố Huế, quận Hai Bà Trưng, tôi thấy…', [['address', 'số 12 ngõ 34 phố Huế, quận Hai Bà Trưng']]],
    ['sống ở with a detail', 'tôi sống ở tổ 5, phường Tân Mai', [['address', 'tổ 5, phường Tân Mai']]],
    ['địa chỉ của tôi là', 'địa chỉ của tôi là 25 Lê Lợi, Huế', [['address', '25 Lê Lợi, Huế']]],
    ['"chợ" is part of the address, "cho" would end it', 'nhà tôi ở gần chợ Đông Ba, tôi thấy nó', [['address', 'gần chợ Đông Ba']]],
    ['English name', 'My name is John Smith and I need help', [['name', 'John Smith']]],
    ['English name and number', "Hi, I'm Lan. My number is 0987 654 321.", [['name', 'Lan'], ['phone', '0987 654 321']]],
    ['English address', 'I live at 12 Ly Thuong Kiet street, Hoan Kiem. Someone sells drugs there.', [['address', '12 Ly Thuong Kiet street, Hoan Kiem']]],
    ['English email', 'my email is lan@example.com', [['email', 'lan@example.com']]],
    ['English call me at', 'call me at 0912345678 after 6pm', [['phone', '0912345678']]],
    ['English ID', 'my ID number is 001234567890', [['id_number', '001234567890']]],
    ['teencode: t, sdt, cua', 't la Hoa, sdt cua t 0987654321', [['name', 'Hoa'], ['phone', '0987654321']]],
    ['teencode: e', 'e tên Hằng, sđt e 0987654321', [['name', 'Hằng'], ['phone', '0987654321']]],
    ['cháu tên là', 'Cháu tên là Bình ạ', [['name', 'Bình']]],
    ['all capitals', 'TÔI LÀ NGUYỄN VĂN AN, SỐ CỦA TÔI 0987654321', [['name', 'NGUYỄN VĂN AN'], ['phone', '0987654321']]],
    ['old tone placement (hoà)', 'Tôi là Hoà, nhà tôi ở xóm Chùa', [['name', 'Hoà'], ['address', 'xóm Chùa']]],
    ['own and a suspect in one message', 'Tôi là Lan, số của tôi 0987654321. Số của nó là 0912345678.', [['name', 'Lan'], ['phone', '0987654321']]],
    ['my name, then a suspect’s number', 'Tôi là Lan, thằng kia có sđt 0912345678', [['name', 'Lan']]],
    ['zalo of mine', 'zalo của em 0987654321, còn zalo của nó là 0912345678', [['phone', '0987654321']]],
  ];

  test.each(own)('%s', (_label, text, expected) => {
    expect(flagged(text)).toEqual(expected);
  });
});

describe('findOwnIdentity: someone else’s details stay (they are the tip)', () => {
  const others: [string, string][] = [
    ['issue #10: a suspect’s number', 'số của nó là 0912345678'],
    ['issue #10: the seller’s name', 'thằng bán hàng tên Tuấn'],
    ['issue #10: her house', 'nhà bà ta ở thôn Đông, xã Yên Lạc'],
    ['named and numbered, third person', 'nó tên là Tuấn, sđt của nó 0912345678'],
    ['my brother’s name', 'anh tôi tên là Hùng'],
    ['my sister’s name', 'em gái tôi tên Hoa'],
    ['a child, not the writer', 'có một em tên Hoa bị đánh'],
    ['"em ấy"', 'em ấy tên Lan, nhà em ấy ở thôn Đoài'],
    ['a mother’s name and house', 'Mẹ tôi tên là Mai, nhà mẹ tôi ở thôn Đông'],
    ['a role, not a name', 'tôi là người dân ở đây'],
    ['a pupil', 'tôi là học sinh lớp 8'],
    ['a role, capitalised', 'Tôi là Mẹ của bé'],
    ['English feeling and a city', "I'm scared and I live in Hanoi"],
    ['a province only is not an address', 'tôi ở Hà Nội'],
    ['where I am, not where I live', 'tôi đang ở nhà một mình'],
    ['"tối qua" is not "tôi"', 'tối qua nó gọi cho tôi từ số 0912345678'],
    ['the number I called', 'tôi gọi vào số 0912 000 111 thì có người nghe'],
    ['the number I called, "số tôi gọi"', 'số tôi gọi là 0912000111'],
    ['reported speech', 'nó bảo tôi là Lan phải đi theo nó'],
    ['someone calls me', 'nó nhắn cho tôi qua số 0912345678'],
    ['my sister’s number', 'số của em gái tôi là 0987654321'],
    ['their ID', 'CCCD của nó là 001234567890'],
    ['their email', 'hắn dùng email abc.xyz@gmail.com để lừa'],
    ['I have his number', 'tôi có số của nó: 0912345678'],
    ['a hotel, not a home', 'Tôi thấy tối qua họ ở nhà nghỉ Hoa Hồng'],
    ['"tới" is not "tôi"', 'tới nhà nghỉ số 5 đường Trần Phú'],
    ['"tôi xa nhà" is not an address', 'tôi ở xa lắm'],
    ['a person called Minh', 'anh ấy nói với Minh là Tuấn bán hàng'],
    ['English: his number', "his number is 0912345678 and he lives at 5 Tran Phu street"],
    ['nothing personal', 'ở Hải Phòng có một xe biển số 15A-123.45 tối nào cũng chở một bé gái 15 tuổi đến khách sạn Hoa Hồng, có người đàn ông gọi số 0912 000 111 để hẹn'],
  ];

  test.each(others)('%s', (_label, text) => {
    expect(flagged(text)).toEqual([]);
  });
});

describe('findOwnIdentity: redaction and offsets', () => {
  it('removes the spans and keeps the rest of the sentence readable (issue #10 evidence)', () => {
    const r = findOwnIdentity('Tôi là Nguyễn Thị Lan, số của tôi 0987654321, nhà tôi ở …');
    expect(r.redacted).toBe(`Tôi là ${REDACTION_MARKER}, số của tôi ${REDACTION_MARKER}, nhà tôi ở ${REDACTION_MARKER}`);
    expect(REDACTION_MARKER).toBe('[đã xóa]');
  });

  it('takes another marker', () => {
    expect(findOwnIdentity('my name is Lan', { marker: '[removed]' }).redacted).toBe('my name is [removed]');
  });

  it('leaves a text with nothing of the writer’s own as it is', () => {
    const text = 'số của nó là 0912345678, nhà nó ở thôn Đông';
    expect(findOwnIdentity(text)).toEqual({ spans: [], redacted: text });
    expect(findOwnIdentity('')).toEqual({ spans: [], redacted: '' });
  });

  it('indexes the original text when it is typed in NFD (the diacritics are kept in the span)', () => {
    const text = 'Tôi là Nguyễn Thị Lan, nhà tôi ở thôn Đông'.normalize('NFD');
    expect(flagged(text)).toEqual([['name', 'Nguyễn Thị Lan'.normalize('NFD')], ['address', 'thôn Đông'.normalize('NFD')]]);
  });

  it('counts offsets in UTF-16 units past emoji and lone surrogates', () => {
    const text = '😀😀 tôi tên là Lan 🙏 sđt của tôi 0987654321 \ud800';
    const r = findOwnIdentity(text);
    expect(r.spans.map((s) => text.slice(s.start, s.end))).toEqual(['Lan', '0987654321']);
    expect(r.redacted).toBe('😀😀 tôi tên là [đã xóa] 🙏 sđt của tôi [đã xóa] \ufffd');
  });

  it('is not fooled by words that are names of JavaScript object members', () => {
    expect(flagged('constructor __proto__ toString tôi là constructor hasOwnProperty')).toEqual([]);
  });

  it('never throws on control characters, lone surrogates or emoji only', () => {
    for (const t of ['\u0000\u0001', '\ud800', '😀😀😀', '   ', '\n\n', '@', 'tôi', 'tên tôi là', 'số của tôi', 'nhà tôi ở']) {
      expect(() => findOwnIdentity(t)).not.toThrow();
    }
  });

  it('returns sorted, non-overlapping spans', () => {
    const r = findOwnIdentity('Tôi là Lan, 0987654321, hoặc 0912345678. Email của tôi: lan@x.vn; nhà tôi ở thôn A');
    for (let k = 1; k < r.spans.length; k++) expect(r.spans[k].start).toBeGreaterThanOrEqual(r.spans[k - 1].end);
    expect(r.spans.map((s) => s.kind)).toEqual(['name', 'phone', 'phone', 'email', 'address']);
  });
});

describe('findOwnIdentity: bounded time on huge input', () => {
  const budget = 200; // ms for 100 KB
  const timed = (text: string): number => {
    findOwnIdentity(text); // warm up: the bot is a long-running process
    const t0 = performance.now();
    findOwnIdentity(text);
    return performance.now() - t0;
  };
  const size = 100_000;
  const fill = (unit: string): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

  test.each([
    ['a long story', fill('Tôi là Nguyễn Thị Lan, số của tôi 0987654321, nhà tôi ở thôn Đông. Số của nó là 0912 000 111, nó tên Tuấn, tối nào cũng chở gái đến khách sạn. ')],
    ['one word without spaces', fill('a')],
    ['digits', fill('0')],
    ['digits and spaces', fill('0 ')],
    ['digits and dots', fill('09.')],
    ['at signs', fill('a@')],
    ['dots', fill('.')],
    ['first-person words', fill('tôi là ')],
    ['labels without values', fill('số của tôi là ')],
    ['capitalised words', fill('Tôi Là Lan ')],
    ['address words', fill('nhà tôi ở thôn ')],
  ])('%s', (_label, text) => {
    expect(text.length).toBe(size);
    expect(timed(text)).toBeLessThan(budget);
  });
});
