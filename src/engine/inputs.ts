/** Parsing and validation of typed answers for input nodes. Pure functions. */
import { normalize, fold } from '../text/normalize.js';
import type { InputKind } from '../bundle/schema.js';

/** A parsed answer, or the message key (content/messages.yaml) that says what is wrong with it. */
export type Parsed = { ok: true; value: string | number; label?: string } | { ok: false; error: 'invalid_text' | 'invalid_number' | 'invalid_date' | 'invalid_place' | 'invalid_code' | 'invalid_secret' | 'too_long' };

const DMY = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$/;
const YMD = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const DAY_MS = 86_400_000;

const RELATIVE_DAYS: ReadonlyMap<string, number> = new Map([
  ['hom nay', 0], ['today', 0], ['nay', 0], ['sang nay', 0], ['toi nay', 0], ['chieu nay', 0],
  ['hom qua', 1], ['yesterday', 1], ['dem qua', 1], ['toi qua', 1], ['sang qua', 1], ['chieu qua', 1],
  ['hom kia', 2], ['2 hom truoc', 2],
]);

const iso = (d: Date): string => d.toISOString().slice(0, 10);

/** Accepts dd/mm/yyyy, dd/mm (this year), yyyy-mm-dd, "hôm nay", "hôm qua"...; never a future date. Uses Vietnam time (UTC+7). */
export function parseDate(text: string, now: number): Parsed {
  const t = text.trim();
  const local = new Date(now + 7 * 3_600_000);
  const rel = RELATIVE_DAYS.get(normalize(t));
  if (rel !== undefined) return { ok: true, value: iso(new Date(local.getTime() - rel * DAY_MS)) };
  let y: number; let m: number; let d: number;
  // A date inside a few words ("khoảng 10/3/2025", "ngày 15-8 thì phải"): the one date in it.
  const inner = t.match(/\b\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b/g);
  const only = inner?.length === 1 && t.length <= 60 ? inner[0] : t;
  const a = DMY.exec(only);
  const b = YMD.exec(only);
  if (a) {
    d = Number(a[1]); m = Number(a[2]);
    y = a[3] === undefined ? local.getUTCFullYear() : a[3].length === 2 ? 2000 + Number(a[3]) : Number(a[3]);
  } else if (b) {
    y = Number(b[1]); m = Number(b[2]); d = Number(b[3]);
  } else return { ok: false, error: 'invalid_date' };
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return { ok: false, error: 'invalid_date' };
  if (date.getTime() > local.getTime() || y < 1990) return { ok: false, error: 'invalid_date' };
  return { ok: true, value: iso(date) };
}

export function parseNumber(text: string, min?: number, max?: number): Parsed {
  const t = text.trim().replace(/[.,\s](?=\d{3}\b)/g, '');
  if (!/^\d{1,9}$/.test(t)) return { ok: false, error: 'invalid_number' };
  const n = Number(t);
  if ((min !== undefined && n < min) || (max !== undefined && n > max)) return { ok: false, error: 'invalid_number' };
  return { ok: true, value: n };
}

/** Reference codes look like "BA-7K4QX2"; users may type them in any case, with or without the dash. */
export const REF_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const REF_BODY = new RegExp(`^[${REF_ALPHABET}]{6}$`);
// "BA", up to three separators, six letters or digits, not inside a longer word ("mã của tôi là ba-7k2m9q.").
const REF_IN_TEXT = /(?<![\p{L}\p{N}])BA([\s_.:/\u2013\u2014-]{0,3})([\p{L}\p{N}]{6})(?![\p{L}\p{N}])/gu;
// A code typed without its "BA": one word of six letters and digits, with both.
const BARE_REF = /(?<![\p{L}\p{N}])([\p{L}\p{N}]{6})(?![\p{L}\p{N}])/gu;
const HAS_DIGIT = /\d/;
const HAS_LETTER = /[A-Z]/;

/**
 * Finds a reference code anywhere in a message: "BA-7K2M9Q", "ba7k2m9q", "mã của tôi là ba-7k2m9q",
 * "ma la ba 7k2m9q". When several words could be one ("ba nguyen ... BA-7K2M9Q"), a code written with its
 * dash or joined to "BA" wins over one after a space, and one with a digit over one without.
 */
export function parseRefCode(text: string): Parsed {
  const t = text.normalize('NFKC').toUpperCase();
  let best: { code: string; score: number } | undefined;
  for (const m of t.matchAll(REF_IN_TEXT)) {
    const body = m[2];
    if (!REF_BODY.test(body)) continue;
    const score = (/^[\s]*$/.test(m[1]) && m[1] !== '' ? 0 : 2) + (HAS_DIGIT.test(body) ? 1 : 0);
    if (!best || score > best.score) best = { code: body, score };
  }
  if (best) return { ok: true, value: `BA-${best.code}` };
  const bare = [...t.matchAll(BARE_REF)].map((m) => m[1]).filter((w) => REF_BODY.test(w) && HAS_DIGIT.test(w) && HAS_LETTER.test(w));
  if (new Set(bare).size === 1) return { ok: true, value: `BA-${bare[0]}` };
  return { ok: false, error: 'invalid_code' };
}

const SEP = '[\\s.,_\\u2013\\u2014-]{0,3}';
// Twelve digits, alone or in groups ("4821 9375 1106", "4821-9375-1106"), not part of a longer number.
const SECRET_IN_TEXT = new RegExp(`(?<!\\d${SEP})\\d(?:${SEP}\\d){11}(?!${SEP}\\d)`, 'gu');

/**
 * Secrets are 12 digits, shown as "4821 9375 1106"; found anywhere in a message ("mã bí mật là 4821 9375
 * 1106 nhé"), with or without spaces, dots or dashes. Two different 12-digit numbers are asked again.
 */
export function parseSecret(text: string): Parsed {
  const found = new Set([...text.normalize('NFKC').matchAll(SECRET_IN_TEXT)].map((m) => m[0].replace(/\D/g, '')));
  if (found.size !== 1) return { ok: false, error: 'invalid_secret' };
  return { ok: true, value: [...found][0] };
}

export function parseText(text: string, min = 1, max = 2000): Parsed {
  const t = text.trim();
  if (t.length > max) return { ok: false, error: 'too_long' };
  if (fold(t).replace(/\s/g, '').length < min) return { ok: false, error: 'invalid_text' };
  return { ok: true, value: t };
}

/**
 * A place resolver gives the canonical name, or (src/bundle/places.ts placeMatcher) the name and what to show
 * the person: "TP. Hồ Chí Minh (Vũng Tàu)" as the answer's `label`.
 */
export type PlaceLookup = (t: string) => string | { name: string; label: string; kind?: 'province' | 'abroad' | 'unknown' } | undefined;

export function parseInput(kind: InputKind, text: string, now: number, min?: number, max?: number, places?: PlaceLookup): Parsed {
  switch (kind) {
    case 'text': return parseText(text, min ?? 1, max ?? 2000);
    case 'number': return parseNumber(text, min, max);
    case 'date': return parseDate(text, now);
    case 'code': return parseRefCode(text);
    case 'secret': return parseSecret(text);
    case 'place': {
      const p = places?.(text);
      if (!p) return { ok: false, error: 'invalid_place' };
      if (typeof p === 'string') return { ok: true, value: p };
      return { ok: true, value: p.name, ...(p.label !== p.name ? { label: p.label } : {}) };
    }
  }
}
