import { fold, normalize, tokens, cleanText, syllableNgrams } from '../src/text/normalize';

describe('Vietnamese normaliser', () => {
  it('folds diacritics and đ, lower-cases, strips punctuation and emoji', () => {
    expect(fold('Cai nghiện')).toBe('cai nghien');
    expect(fold('cai nghien')).toBe(fold('CAI NGHIỆN!!!'));
    expect(fold('Đường dây nóng 😢😢')).toBe('duong day nong');
    expect(fold('😀🙏')).toBe('');
  });

  it('reads words that are names of object properties as words ("constructor", "toString", "__proto__")', () => {
    expect(normalize('the constructor toString __proto__ hasOwnProperty')).toBe('the constructor tostring proto hasownproperty');
  });

  it('treats NFC and NFD input the same', () => {
    const nfd = 'Tiếng Việt'.normalize('NFD');
    expect(fold(nfd)).toBe(fold('Tiếng Việt'.normalize('NFC')));
  });

  it('expands teencode and abbreviations', () => {
    expect(normalize('ko dc j')).toBe('khong duoc gi');
    expect(normalize('k bik sdt cs')).toBe('khong biet so dien thoai cong an');
    expect(normalize('e muốn hỏi ntn r')).toBe('em muon hoi nhu the nao roi');
    expect(normalize('hok đc')).toBe('khong duoc');
  });

  it('squeezes stretched letters ("cuuuuu")', () => {
    expect(normalize('cuuuuu emmmm')).toBe('cuu em');
  });

  it('cleans control characters and lone surrogates without throwing', () => {
    expect(cleanText('a\u0000b\ud800c\u200bd')).toBe('a b c d');
    expect(() => tokens('\udfff\ud83d')).not.toThrow();
  });

  it('builds syllable unigrams and bigrams', () => {
    expect(syllableNgrams(['cai', 'nghien', 'ma'])).toEqual(['cai', 'nghien', 'ma', 'cai_nghien', 'nghien_ma']);
  });
});
