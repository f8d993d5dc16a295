/**
 * Entities named in a message: substances, relations (con tôi, bạn tôi...), countries abroad, an age, and
 * whether the writer seems to be a child or teenager. Alias indexes are built once from content/entities.yaml
 * and content/places.yaml; each lookup is a scan of the folded text for the longest aliases first.
 */
import type { Entities } from '../engine/types.js';
import type { EntitiesFile } from '../bundle/schema.js';
import type { PlacesFile } from '../bundle/places.js';
import { countryId } from '../bundle/load.js';
import { normalize } from '../text/normalize.js';

const AGE = /\b(\d{1,2}) ?(tuoi|years? old|yo|t)\b|\b(?:hoc |dang hoc )?lop (\d{1,2})\b|\b(?:i am|im|i m) (\d{1,2})\b/;
/** The writer as the one harmed: "em bị bắt nạt", "tôi vừa bị lừa", "nó đánh em", "I was scammed". */
const SELF_HARMED = /\b(em|toi|minh|tui|tao|con|i|me)( (da|vua|dang|cung|hay|bi ep|suyt))? (bi|was|got|am being|have been|has been)\b|\b(lua|danh|ep|giu|doa|de doa|hiep|xam hai|sam so|quay roi|blackmail(ed|ing)?|scammed|threaten(ed|ing)?|hit|abused?) (em|toi|minh|tui|me)\b/;
const WRITER_CHILD = /\b(em (dang )?(hoc|la hoc sinh)|em la hoc sinh|tui la hoc sinh|em con nho|em chua du 18|em duoi 18|i m in (grade|year)|i am a (student|teen|kid))\b/;

const MARKS = /[\u0300-\u036f]|đ/;
/** Lower case, composed, words separated by single spaces: the text as typed, diacritics kept. */
const asTyped = (text: string): string => text.normalize('NFC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/**
 * Folded words that are also other everyday words: "co" is "cỏ" (weed) but also "có" (yes/have), "da" is
 * "đá" (meth) and "đã", "ke" is "ke" (ketamine) and "kể" (tell), "lao" is "Lào" and "lao động" (labour).
 * A one-word alias is ambiguous when the Vietnamese texts the bot knows spell its folded form in a way that
 * is not one of the entity's own spellings (a rule learnt once at start-up, not a list).
 */
function spellings(texts: readonly string[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const t of texts) {
    for (const w of asTyped(t).split(' ')) {
      if (!w) continue;
      const f = normalize(w);
      if (f.includes(' ')) continue;
      let set = out.get(f);
      if (!set) out.set(f, (set = new Set()));
      set.add(w);
    }
  }
  return out;
}

class AliasIndex {
  /** Aliases matched on the folded text (several words, or one unambiguous word). */
  private readonly keys: { key: string; id: string }[] = [];
  /** Ambiguous one-word aliases: matched only as typed, in a message typed with diacritics. */
  private readonly exact = new Map<string, string>();

  constructor(entries: { id: string; aliases: string[] }[], known: Map<string, Set<string>>) {
    const seen = new Set<string>();
    for (const e of entries) {
      const own = new Set(e.aliases.map(asTyped));
      for (const a of e.aliases) {
        const key = normalize(a);
        if (!key) continue;
        const other = !key.includes(' ') && [...(known.get(key) ?? [])].some((w) => !own.has(w));
        if (other) {
          // Only the spelling tells it apart ("cỏ", "đá", "Lào"; "ke" next to "kể"), so only where the
          // person types diacritics.
          this.exact.set(asTyped(a), e.id);
          continue;
        }
        if (!seen.has(key)) { seen.add(key); this.keys.push({ key, id: e.id }); }
      }
    }
    this.keys.sort((a, b) => b.key.length - a.key.length);
  }

  find(padded: string, typed: string[] | undefined): string | undefined {
    for (const k of this.keys) if (padded.includes(` ${k.key} `)) return k.id;
    if (typed) for (const w of typed) { const id = this.exact.get(w); if (id) return id; }
    return undefined;
  }
}

export class EntityExtractor {
  private readonly substances: AliasIndex;
  private readonly relations: AliasIndex;
  private readonly countries: AliasIndex;

  /** `vietnamese`: texts that show how everyday words are spelt (the knowledge base, the messages). */
  constructor(entities: EntitiesFile, places: PlacesFile, vietnamese: readonly string[] = []) {
    const known = spellings(vietnamese);
    this.substances = new AliasIndex(entities.substances.map((s) => ({ id: s.id, aliases: [...s.aliases, s.name.vi, s.name.en] })), known);
    this.relations = new AliasIndex(entities.relations.map((s) => ({ id: s.id, aliases: s.aliases })), known);
    // Short aliases ("tq", "cpc") are kept: they are whole words here.
    this.countries = new AliasIndex(places.abroad.map((p) => ({ id: countryId(p.name), aliases: [p.name, ...p.aliases] })), known);
  }

  extract(text: string): Entities {
    const norm = normalize(text);
    const padded = ` ${norm} `;
    const shown = asTyped(text.slice(0, 2000));
    const typed = MARKS.test(shown.normalize('NFD')) ? shown.split(' ') : undefined;
    const out: Entities = {};
    const substance = this.substances.find(padded, typed);
    if (substance) out.substance = substance;
    const relation = this.relations.find(padded, typed);
    if (relation) out.relation = relation;
    const country = this.countries.find(padded, typed);
    if (country) out.country = country;
    const age = AGE.exec(norm);
    if (age) {
      const n = age[1] !== undefined ? Number(age[1]) : age[3] !== undefined ? Number(age[3]) + 6 : Number(age[4]);
      if (n > 0 && n < 100) out.age = n;
    }
    // The writer's own age, when no one else is named: "em 13 tuổi", "em học lớp 8".
    if (!relation && ((out.age !== undefined && out.age < 18) || WRITER_CHILD.test(norm))) out.who = 'child';
    if (!relation && SELF_HARMED.test(norm)) out.victim = true;
    return out;
  }
}
