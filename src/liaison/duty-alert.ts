/**
 * The duty officer's alert: when a new urgent tip arrives, one short message goes to a Telegram group (or chat)
 * of officers — "Tin khẩn mới BA-XXXXXX", never a word of the tip — so someone opens the dashboard even when no
 * one has it open. Optional; set with
 *   OFFICER_ALERT_TELEGRAM_CHAT_ID   the group's chat id (e.g. -1001234567890; add the bot to the group first)
 *   OFFICER_ALERT_TELEGRAM_TOKEN     the bot that posts (default: TELEGRAM_BOT_TOKEN); TELEGRAM_API_BASE is honoured
 * A failed send is retried a few times with a growing pause and then logged (code only); the tip itself is
 * unaffected. Zalo has no bot API for officer groups that an OA may post to, so Telegram is the one channel here.
 */
import type { CaseChange, CaseService } from '../cases/service.js';
import { ConfigError } from '../config.js';
import type { Logger } from '../log.js';

export interface DutyAlertConfig { token: string; chatId: string; apiBase: string }

const TOKEN_RE = /^\d{1,20}:[A-Za-z0-9_-]{20,100}$/;
const CHAT_RE = /^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/;
const RETRIES = [1000, 5000, 30_000];

/** null when no alert chat is configured; a ConfigError naming the variable when it is set wrongly. */
export function readDutyAlertConfig(env: NodeJS.ProcessEnv): DutyAlertConfig | null {
  const chatId = env.OFFICER_ALERT_TELEGRAM_CHAT_ID?.trim();
  const tokenVar = env.OFFICER_ALERT_TELEGRAM_TOKEN?.trim() ? 'OFFICER_ALERT_TELEGRAM_TOKEN' : 'TELEGRAM_BOT_TOKEN';
  const token = env[tokenVar]?.trim();
  if (!chatId) {
    if (env.OFFICER_ALERT_TELEGRAM_TOKEN?.trim()) throw new ConfigError(['OFFICER_ALERT_TELEGRAM_CHAT_ID is required when OFFICER_ALERT_TELEGRAM_TOKEN is set (the officers’ group to alert)']);
    return null;
  }
  const problems: string[] = [];
  if (!CHAT_RE.test(chatId)) problems.push('OFFICER_ALERT_TELEGRAM_CHAT_ID must be a Telegram chat id such as -1001234567890 or @channelname');
  if (!token) problems.push('OFFICER_ALERT_TELEGRAM_TOKEN (or TELEGRAM_BOT_TOKEN) is required when OFFICER_ALERT_TELEGRAM_CHAT_ID is set');
  else if (!TOKEN_RE.test(token)) problems.push(`${tokenVar} does not look like a BotFather token (digits, a colon, then letters, digits, _ or -)`);
  const apiBase = (env.TELEGRAM_API_BASE?.trim() || 'https://api.telegram.org').replace(/\/+$/, '');
  if (problems.length) throw new ConfigError(problems);
  return { token: token as string, chatId, apiBase };
}

/** The alert's whole text: the code and the way to the dashboard, nothing of the tip. */
export const alertText = (ref: string): string => `🔴 Tin khẩn mới ${ref} — mở Bàn làm việc Bình An để xem. / New urgent tip ${ref}.`;

/** Sends an alert for every new urgent tip; returns the way to stop (and to wait for sends in flight). */
export function startDutyAlerts(cases: Pick<CaseService, 'onChange'>, cfg: DutyAlertConfig, log: Logger, sleep = (ms: number) => new Promise<void>((r) => { setTimeout(r, ms).unref(); })): { stop: () => Promise<void> } {
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  const send = async (c: CaseChange): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      let code: string;
      try {
        const res = await fetch(`${cfg.apiBase}/bot${cfg.token}/sendMessage`, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ chat_id: cfg.chatId, text: alertText(c.ref), disable_web_page_preview: true }),
          signal: AbortSignal.timeout(10_000),
        });
        if (res.ok) { log.info('duty alert sent', { ref: c.ref }); return; }
        code = `http_${res.status}`;
        if (res.status >= 400 && res.status < 500 && res.status !== 429) { log.warn('duty alert refused', { ref: c.ref, code }); return; }
      } catch (e) {
        code = (e as Error).name;
      }
      if (stopped || attempt >= RETRIES.length) { log.warn('duty alert not sent', { ref: c.ref, code }); return; }
      await sleep(RETRIES[attempt]);
    }
  };
  const off = cases.onChange((c) => {
    if (stopped || c.kind !== 'created' || c.priority !== 'urgent') return;
    const p = send(c).finally(() => inFlight.delete(p));
    inFlight.add(p);
  });
  return { stop: async () => { stopped = true; off(); await Promise.all(inFlight); } };
}
