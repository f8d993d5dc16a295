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
const WRITER_CHILD = /\b(em (dang )?(hoc|la hoc sinh)|em la hoc sinh|tui la hoc sinh|em con nho|em chua du 18|em duoi 18|i m in (grade|year)|i am a (student|teen|kid))\b/;

class AliasIndex {
  private readonly keys: { key: string; id: string }[] = [];
  constructor(entries: { id: string; aliases: string[] }[]) {
    const seen = new Set<string>();
    for (const e of entries) {
      for (const a of e.aliases) {
        const key = normalize(a);
        if (key && !seen.has(key)) { seen.add(key); this.keys.push({ key, id: e.id }); }
      }
    }
    this.keys.sort((a, b) => b.key.length - a.key.length);
  }

  find(padded: string): string | undefined {
    for (const k of this.keys) if (padded.includes(` ${k.key} `)) return k.id;
    return undefined;
  }
}

export class EntityExtractor {
  private readonly substances: AliasIndex;
  private readonly relations: AliasIndex;
  private readonly countries: AliasIndex;

  constructor(entities: EntitiesFile, places: PlacesFile) {
    this.substances = new AliasIndex(entities.substances.map((s) => ({ id: s.id, aliases: [...s.aliases, s.name.vi, s.name.en] })));
    this.relations = new AliasIndex(entities.relations.map((s) => ({ id: s.id, aliases: s.aliases })));
    // Short aliases ("tq", "lao") are kept: they are whole words here.
    this.countries = new AliasIndex(places.abroad.map((p) => ({ id: countryId(p.name), aliases: [p.name, ...p.aliases] })));
  }

  extract(text: string): Entities {
    const norm = normalize(text);
    const padded = ` ${norm} `;
    const out: Entities = {};
    const substance = this.substances.find(padded);
    if (substance) out.substance = substance;
    const relation = this.relations.find(padded);
    if (relation) out.relation = relation;
    const country = this.countries.find(padded);
    if (country) out.country = country;
    const age = AGE.exec(norm);
    if (age) {
      const n = age[1] !== undefined ? Number(age[1]) : age[3] !== undefined ? Number(age[3]) + 6 : Number(age[4]);
      if (n > 0 && n < 100) out.age = n;
    }
    // The writer's own age, when no one else is named: "em 13 tuổi", "em học lớp 8".
    if (!relation && ((out.age !== undefined && out.age < 18) || WRITER_CHILD.test(norm))) out.who = 'child';
    return out;
  }
}
