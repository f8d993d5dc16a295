/**
 * The web chat's side of a live chat: an event stream the page opens with the chat's random token,
 * carrying the counsellor's lines and the notices (joined, ended…) as the bot's usual messages, and
 * `typing` while the counsellor types (no id: nothing to replay). A reconnect (Last-Event-ID) gets what it
 * missed; the stream ends when the chat does. The page tells the counsellor the person is typing with the
 * same token (`POST /api/chat/live/:token/typing`).
 */
import type { Request, Response } from 'express';
import type { LiveRelay } from '../../live/relay.js';
import type { LiveChat, LiveMessage } from '../../live/desk.js';
import { lastEventId, openSse } from '../../web/sse.js';

const TOKEN = /^[A-Za-z0-9_-]{32}$/;

export function webLiveStream(live: LiveRelay) {
  return (req: Request, res: Response): void => {
    const token = String(req.params.token ?? '');
    const chat = TOKEN.test(token) ? live.desk.byToken(token) : undefined;
    if (!chat || chat.channel !== 'web') {
      res.status(404).json({ error: 'no such live chat (it may have ended)' });
      return;
    }
    const stream = openSse(req, res);
    const send = (c: LiveChat, m: LiveMessage): void => {
      const messages = live.format(c, m);
      if (messages.length) stream.send('message', { replies: messages, state: c.state }, m.seq);
    };
    const push = (c: LiveChat, m: LiveMessage): void => {
      send(c, m);
      if (c.state === 'ended') { stream.send('end', {}); stream.close(); }
    };
    // What it missed (a reload, a dropped connection), then what comes.
    const after = lastEventId(req);
    for (const m of chat.messages) if (m.seq > after && m.from !== 'user') send(chat, m);
    if (chat.state === 'ended') { stream.send('end', {}); stream.close(); return; }
    stream.send('state', { state: chat.state });
    // The person's presence: a closed tab ends the chat for the counsellor after a short grace (a reload is not leaving).
    live.desk.userConnect(chat.id);
    const stop = live.desk.onUserMessage((c, m) => { if (c.id === chat.id) push(c, m); });
    const stopTyping = live.desk.onTyping((c) => { if (c.id === chat.id) stream.send('typing', {}); });
    // Ended by the person on this page ("kết thúc" goes through /api/chat): no notice is relayed, so watch the state.
    const stopChange = live.desk.onChange(() => { if (chat.state === 'ended' && !stream.closed) { stream.send('end', {}); stream.close(); } });
    stream.onClose(() => { stop(); stopTyping(); stopChange(); live.desk.userDisconnect(chat.id); });
  };
}

/** The person is typing in an open web chat: their counsellor sees "typing…" for a few seconds (the desk throttles it). 204 either way. */
export function webLiveTyping(live: LiveRelay) {
  return (req: Request, res: Response): void => {
    const token = String(req.params.token ?? '');
    const chat = TOKEN.test(token) ? live.desk.byToken(token) : undefined;
    if (chat && chat.channel === 'web') live.desk.userTyping(chat.id);
    res.status(204).set('Cache-Control', 'no-store').end();
  };
}
