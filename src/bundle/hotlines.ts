/**
 * One source for every phone number: content/hotlines.yaml. Any other text names a hotline by id,
 * `{{hotline.police}}`, and this module fills the number in once, at load. A number typed into a text
 * (a 7+ digit phone number, or a short emergency number such as 113) is a problem, so a changed number
 * can never be missed in one of many places.
 */
import type { Hotline } from './schema.js';
import type { Problem } from './problems.js';

const REF = /\{\{\s*hotline\.([a-z0-9_]+)(\.dial)?\s*\}\}/g;
// Sequences of 7+ digits (spaces, dots and dashes allowed between) look like phone numbers.
const PHONE_LIKE = /(?<![\d/])\+?\d(?:[ .-]?\d){6,}(?![\d/])/g;
// A short number after these words is a law's article or a document's number, not a phone number.
const NOT_A_PHONE_BEFORE = /(điều|dieu|article|khoản|khoan|clause|nghị định|decree|luật|law|thông tư|circular|số hiệu|no\.)\s*$/i;
const digitsOf = (s: string): string => s.replace(/[^\d]/g, '');
// A run of digits as a text writes a number (short, or grouped with spaces, dots or dashes, with or without +84): not
// inside a word, a date, an amount or a law's number ("…/2020", "1.234,5").
const NUMBER_RUN = /(?<![\p{L}\p{N}_./,-])\+?\d(?:[ .-]?\d)*(?![\p{L}\p{N}_/]|[.,-]\d)/gu;
/** `{{hotlines.short}}` in the web page: the short numbers of the verified hotlines, for the page to link. */
const SHORT_LIST = /\{\{\s*hotlines\.short\s*\}\}/g;

export class HotlineBook {
  readonly byId: ReadonlyMap<string, Hotline>;
  private readonly shortNumbers: { id: string; digits: string; re: RegExp }[];
  private readonly verifiedDigits = new Map<string, string>();
  /** The verified hotlines by the digits of each way their number is written (0… and +84… alike); built once. */
  private readonly byDigits = new Map<string, Hotline>();

  constructor(readonly hotlines: readonly Hotline[]) {
    this.byId = new Map(hotlines.map((h) => [h.id, h]));
    for (const h of hotlines) {
      if (h.status !== 'verified' || !h.dial) continue;
      const d = digitsOf(h.dial);
      for (const v of [d, d.replace(/^84/, '0'), `84${d.replace(/^0/, '')}`]) {
        this.verifiedDigits.set(v, h.id);
        if (!this.byDigits.has(v)) this.byDigits.set(v, h);
      }
    }
    this.shortNumbers = hotlines.filter((h) => h.dial && digitsOf(h.dial).length <= 6)
      .map((h) => ({ id: h.id, digits: digitsOf(h.dial), re: new RegExp(`(?<![\\d.,/+])${digitsOf(h.dial)}(?![\\d.,/])`, 'g') }));
  }

  /** A verified hotline with a number, or undefined. */
  verified(id: string): Hotline | undefined {
    const h = this.byId.get(id);
    return h && h.status === 'verified' && h.dial ? h : undefined;
  }

  /**
   * The verified hotlines whose numbers a text names (as written in it: short, grouped with spaces, dots or dashes,
   * +84… or 0…), in the order they first appear, each once. A short number after "Điều", "khoản", "article"…
   * is a law's article, not a hotline. For call buttons on channels that have them.
   */
  namedIn(text: string): Hotline[] {
    const found: Hotline[] = [];
    const add = (h: Hotline | undefined): void => { if (h && !found.includes(h)) found.push(h); };
    NUMBER_RUN.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = NUMBER_RUN.exec(text))) {
      const before = text.slice(Math.max(0, m.index - 20), m.index);
      const whole = this.byDigits.get(digitsOf(m[0]));
      if (whole && (digitsOf(m[0]).length > 6 || !NOT_A_PHONE_BEFORE.test(before))) { add(whole); continue; }
      // Short hotline numbers side by side, separated by spaces: every part one (not a longer number's groups, not an
      // amount written with dots).
      const parts = m[0].split(' ').map((p) => (/^\d{1,6}$/.test(p) ? this.byDigits.get(p) : undefined));
      if (!NOT_A_PHONE_BEFORE.test(before) && parts.every((h) => h !== undefined)) parts.forEach(add);
    }
    return found;
  }

  /** The short numbers (at most 6 digits) of the verified hotlines, as dialled. */
  shortDials(): string[] {
    return this.hotlines.filter((h) => h.status === 'verified' && h.dial && digitsOf(h.dial).length <= 6).map((h) => h.dial);
  }

  /**
   * Checks a text for numbers typed in and for references to unknown or unverified hotlines, and
   * returns it with the references filled in. `where` names the file and node for the problems.
   */
  resolve(text: string, where: Omit<Problem, 'message'>, problems: Problem[]): string {
    const bare = text.replace(REF, ' ');
    for (const m of bare.match(PHONE_LIKE) ?? []) {
      const id = this.verifiedDigits.get(digitsOf(m));
      problems.push({ ...where, message: id
        ? `phone number "${m}" is typed in: write {{hotline.${id}}} (content/hotlines.yaml is the one source of numbers)`
        : `phone number "${m}" is not a verified hotline in content/hotlines.yaml` });
    }
    for (const s of this.shortNumbers) {
      s.re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = s.re.exec(bare))) {
        if (NOT_A_PHONE_BEFORE.test(bare.slice(Math.max(0, m.index - 20), m.index))) continue;
        problems.push({ ...where, message: `number ${s.digits} is typed in: write {{hotline.${s.id}}} (content/hotlines.yaml is the one source of numbers)` });
        break;
      }
    }
    return text.replace(SHORT_LIST, () => this.shortDials().join(' ')).replace(REF, (whole, id: string, dial?: string) => {
      const h = this.verified(id);
      if (!h) {
        problems.push({ ...where, message: this.byId.has(id) ? `{{hotline.${id}}} is not a verified hotline (status: ${this.byId.get(id)?.status})` : `{{hotline.${id}}}: no such hotline in content/hotlines.yaml` });
        return whole;
      }
      return dial ? h.dial : h.number;
    });
  }
}
