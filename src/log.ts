/**
 * Structured JSON logs to stdout (winston). Logs never carry message text or user ids:
 * callers log counts, kinds and timings only, and a redacting format drops any field
 * whose name suggests content or identity, as a second line of defence.
 */
import winston from 'winston';

const FORBIDDEN = new Set(['text', 'message_text', 'userId', 'user_id', 'user', 'from', 'chat', 'chatId', 'username', 'first_name', 'last_name', 'name', 'phone', 'contact', 'what', 'involved', 'secret', 'payload', 'body']);

const redact = winston.format((info) => {
  for (const k of Object.keys(info)) if (FORBIDDEN.has(k)) info[k] = '[redacted]';
  return info;
});

export type Logger = winston.Logger;

export function createLogger(level: string, stream?: NodeJS.WritableStream): Logger {
  return winston.createLogger({
    level: level === 'silent' ? 'error' : level,
    silent: level === 'silent',
    format: winston.format.combine(redact(), winston.format.timestamp(), winston.format.json()),
    transports: [stream ? new winston.transports.Stream({ stream }) : new winston.transports.Console()],
  });
}
