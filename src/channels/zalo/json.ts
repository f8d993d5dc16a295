/**
 * JSON.parse that never rounds a big integer: Zalo ids are documented as strings, but they exceed
 * 2^53, so if one ever arrives as a bare number it is turned into a string (its exact digits) before
 * parsing. Numbers inside strings are untouched; safe numbers stay numbers.
 */
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function parseJsonKeepingBigInts(text: string): unknown {
  let out = '';
  let last = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Skip a string literal, honouring escapes.
      i++;
      while (i < text.length) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) { i++; break; } else i++;
      }
      continue;
    }
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) { i++; continue; }
      const tok = m[0];
      if (/^-?\d+$/.test(tok) && !Number.isSafeInteger(Number(tok))) {
        out += `${text.slice(last, i)}"${tok}"`;
        last = i + tok.length;
      }
      i += tok.length;
      continue;
    }
    i++;
  }
  return JSON.parse(last === 0 ? text : out + text.slice(last));
}

/** A platform id as a string: strings as they are, safe integers as their digits, anything else undefined. */
export function idString(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length > 0 && v.length <= 128 ? v : undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return undefined;
}
