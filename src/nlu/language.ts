/**
 * Which language a message is written in: Vietnamese or English. Vietnamese typed with diacritics is
 * recognised at once; without diacritics, each word is looked up in two vocabularies built once at
 * start-up from the bundle's own Vietnamese and English texts, and only a clear majority decides. Short or
 * mixed messages ("ok", "no", "Hà Nội", a number) decide nothing: the conversation keeps its language.
 *
 * A general language identifier (franc, cld) needs more text than a chat message and does not know
 * Vietnamese typed without diacritics, which is how most young people write; this uses the words the bot
 * itself speaks about.
 */
import type { Lang } from '../engine/types.js';
import { fold, tokens } from '../text/normalize.js';

const VI_MARKS = /[\u0300-\u0303\u0309\u0323]|[ăâđêôơưĂÂĐÊÔƠƯ]/;
// Frequent words of each language that the content may not use often enough.
const EXTRA_EN = 'i you he she we they my your is am are was were be been do does did have has had what where when why how who which can could would should will not dont cant im its it this that there here please help hello hi thanks thank need want know tell about with from for and or but the a an of in on at to me'.split(' ');
const EXTRA_VI = 'toi ban em minh anh chi co khong la gi dau nao sao the nay do thi ma va hay nhung cua cho voi duoc phai roi nua oi a nhe nha vay a u da vang muon can biet giup hoi noi'.split(' ');

// The shape of one Vietnamese syllable without its marks (đ folded to d), teencode onsets included: an English word
// that the Vietnamese texts happen to quote ("report", "scam", "TikTok") is not counted as Vietnamese.
const VI_SYLLABLE = /^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdfghjklmnprstvwxz])?[aeiouy]{1,3}(ch|ng|nh|[cmnptk])?$/;

/** A word seen fewer times than this in the Vietnamese texts is only quoted there. */
const RARE_IN_VI = 3;

const STRONG_EN = new Set('i you my me we is am are was want need please help how what where when why can do does the this that'.split(' '));

export class LanguageDetector {
  private readonly vi = new Set<string>(EXTRA_VI);
  private readonly en = new Set<string>(EXTRA_EN);
  /** How often each word occurs in the Vietnamese texts: an English word quoted once ("help") is not
   * Vietnamese; one the Vietnamese texts use all the time ("menu", "video") is. */
  private readonly viCount = new Map<string, number>();

  constructor(texts: { vi: Iterable<string>; en: Iterable<string> }) {
    for (const t of texts.vi) for (const w of tokens(t)) { this.vi.add(w); this.viCount.set(w, (this.viCount.get(w) ?? 0) + 1); }
    for (const t of texts.en) for (const w of fold(t).split(' ')) if (w) this.en.add(w);
  }

  detect(text: string): Lang | undefined {
    const nfc = text.slice(0, 500).normalize('NFC');
    if (VI_MARKS.test(nfc.normalize('NFD'))) return 'vi';
    const words = fold(nfc).split(' ').filter((w) => w && !/^\d+$/.test(w));
    let vi = 0;
    let en = 0;
    for (const w of words) {
      const isVi = tokens(w).every((x) => this.vi.has(x));
      const isEn = this.en.has(w);
      if (isVi && !isEn) vi++;
      else if (isEn && !isVi) en++;
    }
    if (en >= 2 && en > 2 * vi) return 'en';
    // English function words ("I want to report") decide when nothing Vietnamese-only is there.
    if (vi === 0 && words.filter((w) => STRONG_EN.has(w)).length >= 2) return 'en';
    if (vi >= 2 && vi > 2 * en) return 'vi';
    if (words.length === 1 && en === 1 && words[0].length >= 4) return 'en';
    // One English word the Vietnamese texts only quote, not a Vietnamese syllable ("help"): English.
    if (words.length === 1 && words[0].length >= 4 && this.en.has(words[0]) && !this.strictlyVi(words[0]) && (this.viCount.get(words[0]) ?? 0) < RARE_IN_VI) return 'en';
    // A few words, every one English and one at least not a Vietnamese syllable ("report a tip"): English.
    if (words.length >= 2 && words.every((w) => this.en.has(w)) && words.some((w) => !this.strictlyVi(w))) return 'en';
    return undefined;
  }

  private strictlyVi(word: string): boolean {
    return tokens(word).every((x) => this.vi.has(x) && VI_SYLLABLE.test(x));
  }
}
