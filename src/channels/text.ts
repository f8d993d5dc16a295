/** Text splitting shared by the channel renderers: chunks within a platform's limit, cut cleanly. */

const SENTENCE_END = /[.!?…](?=\s)/g;
const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;

/** Where to cut `s` (length > limit): the last paragraph, line, sentence or word boundary within the limit. */
function cutPoint(s: string, limit: number): number {
  const head = s.slice(0, limit + 1);
  const min = Math.floor(limit / 4); // a boundary in the first quarter is not worth a sliver
  for (const sep of ['\n\n', '\n']) {
    const i = head.lastIndexOf(sep, limit);
    if (i >= min) return i;
  }
  let sentence = -1;
  for (const m of head.slice(0, limit).matchAll(SENTENCE_END)) sentence = m.index + 1;
  if (sentence >= min) return sentence;
  const space = head.lastIndexOf(' ', limit);
  if (space >= min) return space;
  // No boundary: cut hard, but never inside a surrogate pair (an emoji).
  return isHighSurrogate(s.charCodeAt(limit - 1)) ? limit - 1 : limit;
}

/** Splits a text into trimmed chunks of at most `limit` UTF-16 units on clean boundaries. */
export function splitText(text: string, limit: number): string[] {
  const out: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const at = cutPoint(rest, limit);
    const chunk = rest.slice(0, at).trimEnd();
    if (chunk) out.push(chunk);
    rest = rest.slice(at).trimStart();
  }
  if (rest || out.length === 0) out.push(rest);
  return out;
}
