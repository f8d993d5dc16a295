import { Writable } from 'node:stream';
import { CLI_CAPABILITIES, PLATFORM_CAPABILITIES, TELEGRAM_CAPABILITIES, WEB_CAPABILITIES, type Capabilities } from '../../src/channels/capabilities';
import { loadConfig } from '../../src/config';
import { createApp, type App } from '../../src/app/index';
import { createLogger } from '../../src/log';
import type { OutMessage } from '../../src/engine/types';
import type { Store } from '../../src/store/port';
import { tmpDir } from './tmp';

export interface TestApp {
  app: App;
  dir: string;
  logs: string[];
  close(): Promise<void>;
}

export async function testApp(env: Record<string, string> = {}, store?: (dataDir: string) => Store, opts: { now?: () => number } = {}): Promise<TestApp> {
  const { dir, cleanup } = tmpDir('binhan-app-');
  const logs: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } });
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'debug', ...env });
  const app = await createApp(config, { log: createLogger('debug', stream), store: store?.(dir), ...opts });
  return { app, dir, logs, async close() { await app.close(); cleanup(); } };
}

let counter = 0;

/** Drives one anonymous user's conversation through the runtime, like a channel would. */
const PLATFORMS = new Set(['zalo', 'messenger', 'telegram', 'botframework']);

/** The capabilities a test conversation's edge declares: a platform's under a platform's name, the command
 * line's under "cli", else the web chat's (a test channel behaves like the web chat). */
export function capabilitiesFor(channel: string): Capabilities {
  if (channel === 'telegram') return TELEGRAM_CAPABILITIES;
  return PLATFORMS.has(channel) ? PLATFORM_CAPABILITIES : channel === 'cli' ? CLI_CAPABILITIES : WEB_CAPABILITIES;
}

export class Chat {
  last: OutMessage[] = [];
  /** What the edge this conversation stands for can do (see capabilitiesFor). */
  readonly capabilities: Capabilities;
  constructor(readonly app: App, readonly userId = `user-${++counter}-${Math.random()}`, readonly channel = 'test') {
    this.capabilities = capabilitiesFor(channel);
  }

  async start(): Promise<OutMessage[]> {
    return this.record(await this.app.bot.handle({ channel: this.channel, capabilities: this.capabilities, userId: this.userId, start: true }));
  }

  async say(text: string, messageId?: string): Promise<OutMessage[]> {
    return this.record(await this.app.bot.handle({ channel: this.channel, capabilities: this.capabilities, userId: this.userId, text, messageId }));
  }

  async payload(payload: string, messageId?: string): Promise<OutMessage[]> {
    return this.record(await this.app.bot.handle({ channel: this.channel, capabilities: this.capabilities, userId: this.userId, payload, messageId }));
  }

  /** Taps the button whose label matches (from the latest replies). */
  async tap(label: string | RegExp): Promise<OutMessage[]> {
    const choice = this.choices().find((c) => (typeof label === 'string' ? c.label === label : label.test(c.label)));
    if (!choice) throw new Error(`no button ${String(label)} among: ${this.choices().map((c) => c.label).join(' | ')}`);
    return this.payload(choice.id);
  }

  choices(): { id: string; label: string }[] {
    return this.last.flatMap((m) => m.choices ?? []);
  }

  text(): string {
    return this.last.map((m) => m.text).join('\n');
  }

  private record(out: { replies: OutMessage[] }): OutMessage[] {
    this.last = out.replies;
    return out.replies;
  }
}

/** Files a complete tip through the conversation; returns the reference code and secret shown. */
export async function fileTip(chat: Chat, what = 'Có một nhóm người bán ma túy ở quán nước đầu hẻm vào mỗi tối.'): Promise<{ ref: string; secret: string }> {
  await chat.say('tôi muốn báo tin');
  await chat.tap('Ma túy');
  await chat.say('Nghệ An');
  await chat.say('gần chợ xã, quán nước đầu hẻm');
  await chat.tap('Vẫn đang diễn ra');
  await chat.say(what);
  await chat.tap('Bỏ qua');
  await chat.tap('Không');
  await chat.tap('Không để lại');
  await chat.tap('Gửi tin báo');
  const text = chat.text();
  const ref = /BA-[A-Z0-9]{6}/.exec(text)?.[0];
  const secret = /\d{4} \d{4} \d{4}/.exec(text)?.[0];
  if (!ref || !secret) throw new Error(`no code in: ${text}`);
  return { ref, secret };
}
