import { MAX_WAITING } from './channels/inbound.js';
import { hostname } from 'node:os';
import type { LimitsConfig } from './app/limits.js';
/** Configuration from the environment, validated once at start-up. A bad value names its variable. */
import { z } from 'zod';
import { resolve } from 'node:path';

const int = (name: string, min: number, max: number, def: number) =>
  z.string().optional().transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}, got "${v}"` });
      return z.NEVER;
    }
    return n;
  });

const num = (name: string, min: number, max: number, def: number) =>
  z.string().optional().transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return def;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `${name} must be a number from ${min} to ${max}, got "${v}"` });
      return z.NEVER;
    }
    return n;
  });

const envSchema = z.object({
  PORT: int('PORT', 1, 65535, 3000),
  HOST: z.string().optional().transform((v) => (v && v.trim()) || '0.0.0.0'),
  DATA_DIR: z.string().optional().transform((v) => resolve((v && v.trim()) || './data')),
  LOG_LEVEL: z.string().optional().transform((v, ctx) => {
    const levels = ['error', 'warn', 'info', 'debug', 'silent'] as const;
    const val = (v && v.trim().toLowerCase()) || 'info';
    if (!(levels as readonly string[]).includes(val)) {
      ctx.addIssue({ code: 'custom', message: `LOG_LEVEL must be one of ${levels.join(', ')}, got "${v}"` });
      return z.NEVER;
    }
    return val as (typeof levels)[number];
  }),
  BINHAN_SECRET: z.string().optional().transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    if (v.length < 32) {
      ctx.addIssue({ code: 'custom', message: 'BINHAN_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`); leave it unset to generate one into DATA_DIR' });
      return z.NEVER;
    }
    return v;
  }),
  SESSION_TIMEOUT_MINUTES: int('SESSION_TIMEOUT_MINUTES', 1, 1440, 30),
  DRAFT_KEEP_HOURS: int('DRAFT_KEEP_HOURS', 1, 168, 24),
  STORE_TIMEOUT_MS: int('STORE_TIMEOUT_MS', 100, 60_000, 5000),
  /** This instance's stable name: at start it resends and reruns what its previous run left (default: the host name). */
  INSTANCE_ID: z.string().optional().transform((v, ctx) => {
    const id = (v && v.trim()) || hostname() || 'binhan';
    if (!/^[A-Za-z0-9._:-]{1,128}$/.test(id)) { ctx.addIssue({ code: 'custom', message: 'INSTANCE_ID must be 1-128 characters of A-Z a-z 0-9 . _ : -' }); return z.NEVER; }
    return id;
  }),
  /** Which proxies in front are trusted for the client address and HTTPS: a hop count, or addresses/CIDRs. */
  TRUST_PROXY: z.string().optional().transform((v, ctx) => {
    if (v === undefined || v === '' || v === 'false') return false;
    if (/^\d{1,2}$/.test(v)) return Number(v);
    const list = v.split(',').map((x) => x.trim()).filter(Boolean);
    const ok = list.every((x) => /^(loopback|linklocal|uniquelocal)$/.test(x) || /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(x));
    if (!ok) { ctx.addIssue({ code: 'custom', message: 'TRUST_PROXY: a hop count (e.g. 1), or a comma list of addresses/CIDRs or loopback' }); return z.NEVER; }
    return list;
  }),
  HEALTH_TOKEN: z.string().min(16, 'HEALTH_TOKEN: at least 16 characters').optional(),
  RATE_MESSAGES_PER_MINUTE: int('RATE_MESSAGES_PER_MINUTE', 1, 100_000, 30),
  RATE_ADDRESS_PER_MINUTE: int('RATE_ADDRESS_PER_MINUTE', 1, 1_000_000, 120),
  RATE_TIPS_PER_HOUR: int('RATE_TIPS_PER_HOUR', 1, 100_000, 5),
  RATE_TIPS_GLOBAL_PER_MINUTE: int('RATE_TIPS_GLOBAL_PER_MINUTE', 1, 1_000_000, 600),
  RATE_GLOBAL_PER_SECOND: int('RATE_GLOBAL_PER_SECOND', 1, 1_000_000, 10_000),
  INBOUND_MAX_WAITING: int('INBOUND_MAX_WAITING', 100, 10_000_000, MAX_WAITING),
  NLU_THRESHOLD: num('NLU_THRESHOLD', 0, 1, 0.45),
  BINHAN_ROOT: z.string().optional().transform((v) => (v ? resolve(v) : undefined)),
  MONGODB_URI: z.string().optional().transform((v, ctx) => {
    const val = v?.trim();
    if (!val) return undefined;
    // The value is not echoed: it may hold a password.
    if (!/^mongodb(\+srv)?:\/\/./.test(val)) {
      ctx.addIssue({ code: 'custom', message: 'MONGODB_URI must start with mongodb:// or mongodb+srv:// (leave it unset to use the embedded SQLite store)' });
      return z.NEVER;
    }
    return val;
  }),
  /** When set, the abuse limits are shared by all instances through this Redis (else kept in memory per process). */
  REDIS_URL: z.string().optional().transform((v, ctx) => {
    const val = v?.trim();
    if (!val) return undefined;
    // The value is not echoed: it may hold a password.
    let ok = false;
    try { const u = new URL(val); ok = /^rediss?:$/.test(u.protocol) && u.hostname !== ''; } catch { ok = false; }
    if (!ok) {
      ctx.addIssue({ code: 'custom', message: 'REDIS_URL must be a redis:// or rediss:// URL with a host, e.g. redis://127.0.0.1:6379/0 (leave it unset to keep the abuse limits in memory)' });
      return z.NEVER;
    }
    return val;
  }),
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug' | 'silent';
  secret?: string;
  sessionTimeoutMs: number;
  /** How long a session holding an unsent tip (a draft) is kept after the last message. */
  draftKeepMs: number;
  /** Abuse limits on the anonymous side (src/app/limits.ts). */
  limits: LimitsConfig;
  /** The deadline of every store call (src/store/deadline.ts). */
  storeTimeoutMs: number;
  /** Owner of this instance's rows in the durable inbox/outbox (INSTANCE_ID). */
  instanceId: string;
  /** Channel events one channel may hold waiting for their turn (INBOUND_MAX_WAITING); beyond it, 503. */
  inboundMaxWaiting: number;
  /** Express's 'trust proxy': false, a hop count, or trusted addresses. */
  trustProxy: false | number | string[];
  /** Lets /healthz, /readyz details and /metrics be read from elsewhere than this machine (Bearer token). */
  healthToken?: string;
  nluThreshold: number;
  /** Where flows/ and content/ live (default: the package folder). */
  root?: string;
  /** When set, cases and sessions live in this MongoDB instead of the embedded SQLite file. */
  mongodbUri?: string;
  /** When set, the abuse limits live in this Redis, shared by all instances (in memory while it does not answer). */
  redisUrl?: string;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const res = envSchema.safeParse(env);
  if (!res.success) throw new ConfigError(res.error.issues.map((i) => i.message));
  const e = res.data;
  return {
    port: e.PORT, host: e.HOST, dataDir: e.DATA_DIR, logLevel: e.LOG_LEVEL, secret: e.BINHAN_SECRET,
    sessionTimeoutMs: e.SESSION_TIMEOUT_MINUTES * 60_000, draftKeepMs: e.DRAFT_KEEP_HOURS * 3_600_000, storeTimeoutMs: e.STORE_TIMEOUT_MS, instanceId: e.INSTANCE_ID, inboundMaxWaiting: e.INBOUND_MAX_WAITING, trustProxy: e.TRUST_PROXY, ...(e.HEALTH_TOKEN ? { healthToken: e.HEALTH_TOKEN } : {}),
    limits: {
      messagesPerMinute: e.RATE_MESSAGES_PER_MINUTE, addressPerMinute: e.RATE_ADDRESS_PER_MINUTE, tipsPerHour: e.RATE_TIPS_PER_HOUR,
      tipsGlobalPerMinute: e.RATE_TIPS_GLOBAL_PER_MINUTE, globalPerSecond: e.RATE_GLOBAL_PER_SECOND,
    },
    nluThreshold: e.NLU_THRESHOLD, root: e.BINHAN_ROOT,
    mongodbUri: e.MONGODB_URI,
    ...(e.REDIS_URL ? { redisUrl: e.REDIS_URL } : {}),
  };
}
