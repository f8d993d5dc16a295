/**
 * Opt-in follow-up notifications. Only when a reporter asks "notify me here when an officer replies"
 * is their channel address stored: sealed (AES-256-GCM), in a record of its own that no officer-facing
 * code reads, and deleted when the case closes or the reporter opts out. A notification says only that
 * there is news; the reporter reads it with their code, so no case content ever goes out unasked.
 */
import type { FieldCipher } from '../cases/cipher.js';
import type { NotificationStore } from '../store/port.js';

/** Sentences of content/messages.yaml said by the notifications. */
export const NOTIFY_MESSAGES = ['notify_news'] as const;

export interface Subscription { channel: string; address: string; lang: string }

export class NotificationRegistry {
  /** `cipher` is read by the campaign subscriptions too (src/actions/subscriptions.ts): one key ring seals both. */
  constructor(private readonly store: NotificationStore, readonly cipher: FieldCipher) {}

  async subscribe(ref: string, s: Subscription): Promise<void> {
    await this.store.putNotification(ref, this.cipher.encrypt(JSON.stringify(s), 'notify'));
  }

  async unsubscribe(ref: string): Promise<void> {
    await this.store.deleteNotification(ref);
  }

  async lookup(ref: string): Promise<Subscription | null> {
    const v = await this.store.getNotification(ref);
    return v ? JSON.parse(this.cipher.decrypt(v, 'notify')) as Subscription : null;
  }
}
