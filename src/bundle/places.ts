/** Resolves typed places (provinces, former provinces, countries) to a canonical name. Built once. */
import { normalize } from '../text/normalize.js';

export interface PlaceEntry { name: string; aliases: string[] }
export interface PlacesFile { provinces: PlaceEntry[]; abroad: PlaceEntry[]; unknown: PlaceEntry }

const PREFIX = /^(tinh|thanh pho|tp|o|tai|ben|khu vuc|vung|huyen|xa|phuong|quan)\s+/;

export function placeResolver(places: PlacesFile): (text: string) => string | undefined {
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
    // A name that starts like a prefix ("Vũng Tàu", "Ô Môn") is tried whole first.
    const whole = index.get(n);
    if (whole) return whole;
    for (let i = 0; i < 3 && PREFIX.test(n); i++) n = n.replace(PREFIX, '');
    const exact = index.get(n);
    if (exact) return exact;
    // "xã X, tỉnh Nghệ An" or "gan cho Bavet": take the longest known name inside the text.
    const padded = ` ${n} `;
    for (const k of keys) if (padded.includes(` ${k} `)) return index.get(k);
    return undefined;
  };
}
