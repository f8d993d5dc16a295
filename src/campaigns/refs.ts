/**
 * Poster refs: how a campaign reaches people through a place without identifying anyone. A supervisor creates a
 * ref in the dashboard for a campaign and a place ("THCS Lê Lợi, Vinh", "Bến xe Nước Ngầm"): a short random code
 * (`p` + 7 letters/digits, derived from nothing) kept in the store's settings with the campaign id and the place's
 * label. The poster carries the ref in each channel's deep link:
 *
 *   Telegram   https://t.me/<bot>?start=<ref>       → `/start <ref>` (the start parameter, A–Z a–z 0–9 _ -, ≤ 64)
 *   Messenger  https://m.me/<page>?ref=<ref>        → a `referral` (messaging_referrals, or postback.referral on Get Started)
 *   web chat   <web chat URL>?ref=<ref>             → the first request carries it
 *   Zalo OA    https://zalo.me/<OA id>               → no ref: Zalo's `follow` event names only a `source`
 *              (oa_profile, …), never a parameter of ours, so a per-place Zalo link is not possible; the poster
 *              says which words to type instead (the campaign's trigger phrase), counted per campaign only.
 *
 * A ref arriving starts its campaign (payload `go:campaign_<id>`) and is kept in the conversation's session for
 * its life only (it names a place, not a person). Counted per ref and Viet Nam day (src/app/counters.ts):
 *   ref.<ref>.start   a conversation started from the poster
 *   ref.<ref>.quiz    a post-quiz completed in such a conversation
 *   ref.<ref>.tip     a tip sent from such a conversation
 * Counts only: no id, no text, no channel address.
 */
import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import type { KeyValueStore } from '../store/port.js';
import { ConfigError } from '../config.js';

/** A ref's shape: what every channel can carry (Telegram's start parameter is the narrowest). */
export const REF_RE = /^p[a-z0-9]{7}$/;
const SETTING = 'campaign-refs';
/** At most this many refs (one setting; a programme prints posters for a few hundred places at most). */
export const MAX_REFS = 2000;
const CACHE_MS = 30_000;

export interface PosterRef {
  ref: string;
  campaign: string;
  /** The place's label, as the supervisor typed it (a school, a commune hall, a bus station). */
  place: string;
  createdAt: string;
}

export class PosterRefs {
  private cache?: { at: number; refs: PosterRef[] };
  private writing: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: KeyValueStore, private readonly now: () => number = Date.now) {}

  async list(): Promise<PosterRef[]> {
    if (this.cache && this.now() - this.cache.at < CACHE_MS) return this.cache.refs;
    const raw = await this.store.getSetting(SETTING);
    let refs: PosterRef[] = [];
    try { refs = raw ? (JSON.parse(raw) as PosterRef[]).filter((r) => REF_RE.test(r.ref)) : []; } catch { refs = []; }
    this.cache = { at: this.now(), refs };
    return refs;
  }

  /** The ref's record, or undefined for an unknown or malformed ref (a forged link starts nothing). */
  async get(ref: string): Promise<PosterRef | undefined> {
    if (!REF_RE.test(ref)) return undefined;
    return (await this.list()).find((r) => r.ref === ref);
  }

  /** A new ref for a campaign and a place; writes are serialised within this process. */
  create(campaign: string, place: string): Promise<PosterRef> {
    const run = this.writing.then(async () => {
      this.cache = undefined;
      const refs = await this.list();
      if (refs.length >= MAX_REFS) throw new Error(`at most ${MAX_REFS} poster refs`);
      const taken = new Set(refs.map((r) => r.ref));
      let ref: string;
      do ref = `p${newCode(7)}`; while (taken.has(ref));
      const rec: PosterRef = { ref, campaign, place, createdAt: new Date(this.now()).toISOString() };
      await this.store.setSetting(SETTING, JSON.stringify([...refs, rec]));
      this.cache = undefined;
      return rec;
    });
    this.writing = run.catch(() => undefined);
    return run;
  }
}

const shared = new WeakMap<object, PosterRefs>();
/** The one registry of a store (the bot and the dashboard share it, so a new ref is known at once). */
export function posterRefs(store: KeyValueStore): PosterRefs {
  let r = shared.get(store);
  if (!r) { r = new PosterRefs(store); shared.set(store, r); }
  return r;
}

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
function newCode(n: number): string {
  const bytes = randomBytes(n);
  return [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('');
}

// ---------------------------------------------------------------- links

/** Where the campaign's links point: from the environment, validated at start-up (each problem names its variable). */
export interface LinkConfig {
  /** The Telegram bot's username (without @). */
  telegramBot?: string;
  /** The Facebook Page's username or numeric id, for m.me. */
  messengerPage?: string;
  /** The Zalo Official Account's id (zalo.me/<id>). */
  zaloOa?: string;
  /** The public address of the web chat (https). */
  webChatUrl?: string;
}

export const LINK_VARS = ['CAMPAIGN_TELEGRAM_BOT', 'CAMPAIGN_MESSENGER_PAGE', 'CAMPAIGN_ZALO_OA_ID', 'CAMPAIGN_WEB_URL'] as const;

export function linkConfig(env: NodeJS.ProcessEnv = process.env): LinkConfig {
  const problems: string[] = [];
  const val = (k: (typeof LINK_VARS)[number]): string | undefined => { const v = env[k]?.trim(); return v ? v : undefined; };
  const telegramBot = val('CAMPAIGN_TELEGRAM_BOT')?.replace(/^@/, '');
  if (telegramBot !== undefined && !/^[A-Za-z][A-Za-z0-9_]{3,31}$/.test(telegramBot)) problems.push('CAMPAIGN_TELEGRAM_BOT must be the bot\'s username (5–32 letters, digits or _, e.g. BinhAnBot)');
  const messengerPage = val('CAMPAIGN_MESSENGER_PAGE');
  if (messengerPage !== undefined && !/^[A-Za-z0-9.]{5,50}$/.test(messengerPage)) problems.push('CAMPAIGN_MESSENGER_PAGE must be the Page\'s username or numeric id (as in m.me/<page>)');
  const zaloOa = val('CAMPAIGN_ZALO_OA_ID');
  if (zaloOa !== undefined && !/^\d{6,25}$/.test(zaloOa)) problems.push('CAMPAIGN_ZALO_OA_ID must be the Official Account\'s numeric id (as in zalo.me/<id>)');
  const web = val('CAMPAIGN_WEB_URL');
  let webChatUrl: string | undefined;
  if (web !== undefined) {
    let u: URL | undefined;
    try { u = new URL(web); } catch { u = undefined; }
    if (!u || !/^https?:$/.test(u.protocol) || u.search || u.hash) problems.push('CAMPAIGN_WEB_URL must be the web chat\'s public http(s) address without query, e.g. https://binhan.example.vn/');
    else webChatUrl = u.toString();
  }
  if (problems.length) throw new ConfigError(problems);
  return { telegramBot, messengerPage, zaloOa, webChatUrl };
}

export type LinkChannel = 'telegram' | 'messenger' | 'zalo' | 'web';
export interface CampaignLink { channel: LinkChannel; url: string; carriesRef: boolean }

/** The links of a ref (or of the campaign alone, without a ref), for the channels configured. */
export function linksFor(cfg: LinkConfig, ref: string | undefined, fallbackWebUrl: string): CampaignLink[] {
  const out: CampaignLink[] = [];
  const q = (k: string) => (ref ? `?${k}=${encodeURIComponent(ref)}` : '');
  if (cfg.telegramBot) out.push({ channel: 'telegram', url: `https://t.me/${cfg.telegramBot}${q('start')}`, carriesRef: !!ref });
  if (cfg.messengerPage) out.push({ channel: 'messenger', url: `https://m.me/${cfg.messengerPage}${q('ref')}`, carriesRef: !!ref });
  if (cfg.zaloOa) out.push({ channel: 'zalo', url: `https://zalo.me/${cfg.zaloOa}`, carriesRef: false });
  const web = new URL(cfg.webChatUrl ?? fallbackWebUrl);
  if (ref) web.searchParams.set('ref', ref);
  out.push({ channel: 'web', url: web.toString(), carriesRef: !!ref });
  return out;
}

/** A QR code of a link as an SVG document (error correction M: survives a crease or a smudge on a poster). */
export function qrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 4, color: { dark: '#000000', light: '#ffffff' } });
}

// ---------------------------------------------------------------- a ref arriving (src/app/bot.ts)

const POST_QUIZ_DONE = /^camp\.[a-z0-9_]+\.prepost\./;

/** The counters a turn adds for the poster ref its conversation came from: a post-quiz completed, a tip sent. */
export function refCounts(ref: string | undefined, events: readonly { type: string; key?: string }[], tipSent: boolean): { type: 'count'; key: string }[] {
  if (!ref || !REF_RE.test(ref)) return [];
  const out: { type: 'count'; key: string }[] = [];
  if (events.some((e) => e.type === 'count' && typeof e.key === 'string' && POST_QUIZ_DONE.test(e.key))) out.push({ type: 'count', key: `ref.${ref}.quiz` });
  if (tipSent) out.push({ type: 'count', key: `ref.${ref}.tip` });
  return out;
}
