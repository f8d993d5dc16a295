// Bình An web chat. Plain browser JavaScript, no dependencies, no external resources.
// Everything the user types is rendered with textContent, never as HTML.
(function () {
  'use strict';
  var KEY = 'binhan-client';
  // Where the quick exit goes: an ordinary weather search.
  var NEUTRAL_SITE = 'https://www.google.com/search?q=th%E1%BB%9Di+ti%E1%BA%BFt';
  var log = document.getElementById('log');
  var form = document.getElementById('composer');
  var input = document.getElementById('input');
  var langBtn = document.getElementById('lang');
  var exitBtn = document.getElementById('exit');
  var lang = 'vi';
  var busy = false;
  // A live chat with a counsellor: their lines arrive on an event stream opened with the chat's token.
  var liveSource = null;
  var liveToken = null;
  // The page's own words, Vietnamese first; the conversation's language picks them (see setLang).
  var UI = {
    vi: {
      me: 'Bạn:', bot: 'Bình An:', codes: 'Mã của bạn', copy: 'Sao chép', copied: 'Đã chép', byHand: 'Hãy tự chép', show: 'Hiện', hide: 'Ẩn',
      placeholder: 'Gõ câu hỏi của bạn…', switchTo: 'EN', switchLabel: 'EN: Switch to English', switchLang: 'en'
    },
    en: {
      me: 'You:', bot: 'Bình An:', codes: 'Your codes', copy: 'Copy', copied: 'Copied', byHand: 'Please copy it by hand', show: 'Show', hide: 'Hide',
      placeholder: 'Type your question…', switchTo: 'VI', switchLabel: 'VI: Chuyển sang tiếng Việt', switchLang: 'vi'
    }
  };
  // The button that ends a live chat (its payload, as src/engine/payload.ts writes it).
  var LIVE_END = 'live:end';

  function randomId(bytes) {
    var a = new Uint8Array(bytes);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  function clientId() {
    var id = null;
    try { id = sessionStorage.getItem(KEY); } catch (e) { /* storage may be disabled */ }
    if (!id) {
      id = randomId(16);
      try { sessionStorage.setItem(KEY, id); } catch (e) { /* ignore */ }
    }
    return id;
  }

  function scroll() { log.scrollTop = log.scrollHeight; }

  // A follow-up secret is 12 digits ("4821 9375 1106", also typed without spaces or with dashes). It never stays
  // on the page in clear: the person's own bubble shows every run of 12 or more digits masked, as soon as it is
  // sent (the text sent to the server is unchanged). A phone number (10-11 digits) is left as typed.
  var DIGIT_RUN = /(^|[^0-9])([0-9](?:[\s.,_\u2013\u2014-]{0,3}[0-9]){11,})(?![\s.,_\u2013\u2014-]{0,3}[0-9])/g;

  function maskSecrets(text) {
    return text.replace(DIGIT_RUN, function (_all, before, run) {
      var digits = run.replace(/[^0-9]/g, '');
      return before + (digits.length === 12 ? '•••• •••• ••••' : run.replace(/[0-9]/g, '•'));
    });
  }

  // Every phone number and e-mail address in the bot's words becomes a link (tel:, mailto:), built from text nodes
  // and <a> elements, never from HTML. Numbers as Viet Nam writes them (0xxx xx xx xx, +84 xxx xx xx xx,
  // 1900 xxx xxx, 1800 xxxx, with spaces, dots or dashes); a short number only when it is a hotline's (the page is
  // rendered with the short numbers of content/hotlines.yaml) and not a law's article ("Điều …"). A 12-digit
  // secret is never one.
  var SHORT_NUMBERS = (document.body.getAttribute('data-short') || '').split(/\s+/).filter(Boolean);
  var NUMBER_RUN = /(^|[^\p{L}\p{N}_./,-])(\+?\d(?:[ .-]?\d)*)(?![\p{L}\p{N}_/]|[.,-]\d)/gu;
  var EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
  var NOT_A_PHONE_BEFORE = /(điều|dieu|article|khoản|khoan|clause|nghị định|decree|luật|law|thông tư|circular|số hiệu|no\.)\s*$/i;

  function phoneHref(run) {
    var d = run.replace(/[^0-9]/g, '');
    if (run.charAt(0) === '+') return d.length >= 8 && d.length <= 15 ? 'tel:+' + d : null;
    if (/^0[1-9]/.test(d) && (d.length === 10 || d.length === 11)) return 'tel:' + d;
    if (/^1[89]00/.test(d) && (d.length === 8 || d.length === 10)) return 'tel:' + d;
    return null;
  }

  function linksIn(text) {
    var found = [];
    var m;
    EMAIL.lastIndex = 0;
    while ((m = EMAIL.exec(text))) found.push({ start: m.index, end: m.index + m[0].length, href: 'mailto:' + m[0] });
    NUMBER_RUN.lastIndex = 0;
    while ((m = NUMBER_RUN.exec(text))) {
      var start = m.index + m[1].length;
      var run = m[2];
      var href = phoneHref(run);
      if (href) { found.push({ start: start, end: start + run.length, href: href }); continue; }
      if (NOT_A_PHONE_BEFORE.test(text.slice(Math.max(0, start - 20), start))) continue;
      // Short hotline numbers, alone or side by side (every part one: not the groups of a longer number).
      var parts = run.split(' ');
      if (!parts.every(function (p) { return SHORT_NUMBERS.indexOf(p) >= 0; })) continue;
      var at = start;
      parts.forEach(function (part) {
        found.push({ start: at, end: at + part.length, href: 'tel:' + part });
        at += part.length + 1;
      });
    }
    found.sort(function (a, b) { return a.start - b.start; });
    var end = 0;
    return found.filter(function (f) { var keep = f.start >= end; if (keep) end = f.end; return keep; });
  }

  function appendLinked(parent, text) {
    var at = 0;
    linksIn(text).forEach(function (l) {
      if (l.start > at) parent.appendChild(document.createTextNode(text.slice(at, l.start)));
      var a = document.createElement('a');
      a.href = l.href;
      a.textContent = text.slice(l.start, l.end);
      parent.appendChild(a);
      at = l.end;
    });
    if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
  }

  function masked(value) { return value.replace(/[0-9A-Za-z]/g, '•'); }

  // Who says what, for screen readers: "Bình An:" or "Bạn:" before each message, visually hidden (beside the
  // message, so that its own text stays exactly what was said).
  function roleLabel(who) {
    var label = document.createElement('span');
    label.className = 'sr-only';
    label.textContent = UI[lang][who] + ' ';
    log.appendChild(label);
  }

  // `hidden`: values (a secret) shown masked wherever the text says them.
  function bubble(text, who, hidden) {
    if (who === 'me' || who === 'bot') roleLabel(who);
    var div = document.createElement('div');
    div.className = 'msg ' + who;
    if (who === 'me') div.textContent = maskSecrets(text);
    else if (who === 'bot') {
      (hidden || []).forEach(function (v) { text = text.split(v).join(masked(v)); });
      appendLinked(div, text);
    } else div.textContent = text;
    log.appendChild(div);
    scroll();
    return div;
  }

  function copyText(value) {
    try {
      if (navigator.clipboard && navigator.clipboard.writeText) return navigator.clipboard.writeText(value);
    } catch (e) { /* not allowed here */ }
    return Promise.reject(new Error('no clipboard'));
  }

  function selectText(el) {
    try {
      var range = document.createRange();
      range.selectNodeContents(el);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    } catch (e) { /* nothing more to do */ }
  }

  function codeButton(word, label) {
    var b = document.createElement('button');
    b.type = 'button';
    setWord(b, word, label);
    return b;
  }

  function setWord(b, word, label) {
    b.textContent = word;
    b.setAttribute('aria-label', word + ' ' + label);
  }

  // The codes a reporter must keep (a tip's reference code and secret), in a box of their own with a copy button
  // each. A secret is masked until "Hiện" is pressed; its value lives only in this closure (never in storage, the
  // address or an attribute) and is gone with the page.
  function codesBox(items) {
    var t = UI[lang];
    var box = document.createElement('div');
    box.className = 'codes';
    box.setAttribute('role', 'group');
    box.setAttribute('aria-label', t.codes);
    items.forEach(function (c) {
      var row = document.createElement('div');
      row.className = 'code';
      var name = document.createElement('span');
      name.className = 'code-label';
      name.textContent = c.label;
      var value = document.createElement('span');
      value.className = 'code-value';
      var shown = !c.secret;
      value.textContent = shown ? c.value : masked(c.value);
      var actions = document.createElement('span');
      actions.className = 'code-actions';
      var reveal = null;
      function show(on) {
        shown = on;
        value.textContent = on ? c.value : masked(c.value);
        if (reveal) setWord(reveal, on ? t.hide : t.show, c.label);
      }
      if (c.secret) {
        reveal = codeButton(t.show, c.label);
        reveal.className = 'reveal';
        reveal.addEventListener('click', function () { show(!shown); });
        actions.appendChild(reveal);
      }
      var copy = codeButton(t.copy, c.label);
      copy.className = 'copy';
      var timer = null;
      copy.addEventListener('click', function () {
        clearTimeout(timer);
        copyText(c.value).then(function () {
          setWord(copy, t.copied, c.label);
          copy.classList.add('done');
        }, function () {
          // No clipboard here: the code is shown and selected, to be copied by hand.
          if (!shown) show(true);
          selectText(value);
          setWord(copy, t.byHand, c.label);
        }).then(function () {
          timer = setTimeout(function () { setWord(copy, t.copy, c.label); copy.classList.remove('done'); }, 4000);
        });
      });
      actions.appendChild(copy);
      row.appendChild(name);
      row.appendChild(value);
      row.appendChild(actions);
      box.appendChild(row);
    });
    log.appendChild(box);
    return box;
  }

  // After a reply with codes: the codes box whole in view (with the message before it when both fit), not pushed
  // half off a phone screen by what follows; the rest is below, a scroll away.
  function showWhole(said, box) {
    var top = box.offsetTop + box.offsetHeight - said.offsetTop <= log.clientHeight ? said.offsetTop : box.offsetTop;
    log.scrollTop = Math.min(Math.max(0, top - 8), log.scrollHeight - log.clientHeight);
  }

  // Earlier buttons look secondary (they still work); the button ending a live chat stays as it is while the chat goes on.
  function disableOldChoices() {
    var groups = log.querySelectorAll('.choices:not(.used)');
    for (var i = 0; i < groups.length; i++) if (!(liveToken && groups[i].classList.contains('live-end'))) groups[i].classList.add('used');
  }

  function renderReplies(replies) {
    var codes = null;
    var said = null;
    for (var i = 0; i < replies.length; i++) {
      var r = replies[i];
      var copy = r.copy || [];
      // A secret the message gives (to keep) is masked in its text too.
      var msg = bubble(r.text, 'bot', copy.filter(function (c) { return c.secret; }).map(function (c) { return c.value; }));
      if (copy.length) { said = msg; codes = codesBox(copy); }
      if (r.calls && r.calls.length) {
        var calls = document.createElement('div');
        calls.className = 'calls';
        r.calls.forEach(function (c) {
          var a = document.createElement('a');
          a.className = 'call';
          a.href = 'tel:' + c.dial;
          a.textContent = c.label;
          calls.appendChild(a);
        });
        log.appendChild(calls);
      }
      if (r.choices && r.choices.length) {
        var box = document.createElement('div');
        box.className = 'choices';
        box.setAttribute('role', 'group');
        r.choices.forEach(function (c) {
          var b = document.createElement('button');
          b.type = 'button';
          b.className = 'choice';
          b.textContent = c.label;
          b.addEventListener('click', function () { send({ payload: c.id }, c.label); });
          if (c.id === LIVE_END) box.classList.add('live-end');
          box.appendChild(b);
        });
        log.appendChild(box);
      }
    }
    if (codes) showWhole(said, codes); else scroll();
  }

  var liveStatus = document.getElementById('live-status');
  var LIVE_TEXT = {
    vi: { waiting: 'Đang chờ tư vấn viên… Gõ "kết thúc" để quay lại bot.', active: 'Đang trò chuyện với tư vấn viên · gõ "kết thúc" để dừng.', typing: 'Tư vấn viên đang nhập…' },
    en: { waiting: 'Waiting for a counsellor… Type "end" to go back to the bot.', active: 'Talking with a counsellor · type "end" to stop.', typing: 'The counsellor is typing…' }
  };

  // "The counsellor is typing…" under the conversation, for a few seconds after each sign of it (the server
  // sends one at most every few seconds); gone when their line arrives or the chat ends.
  var liveTyping = document.createElement('p');
  liveTyping.id = 'live-typing';
  liveTyping.className = 'live-status';
  liveTyping.setAttribute('data-state', 'active');
  liveTyping.setAttribute('role', 'status');
  liveTyping.hidden = true;
  log.insertAdjacentElement('afterend', liveTyping);
  var liveTypingTimer = null;
  function showTyping(on) {
    clearTimeout(liveTypingTimer);
    liveTyping.textContent = on ? LIVE_TEXT[lang].typing : '';
    liveTyping.hidden = !on;
    if (on) liveTypingTimer = setTimeout(function () { showTyping(false); }, 6000);
  }
  // The person typing in a live chat: their counsellor is told, at most every 3 seconds (nothing is sent but the sign).
  var typingSentAt = 0;
  function typingPing() {
    var now = Date.now();
    if (!liveToken || now - typingSentAt < 3000) return;
    typingSentAt = now;
    try { fetch('/api/chat/live/' + encodeURIComponent(liveToken) + '/typing', { method: 'POST', credentials: 'same-origin', cache: 'no-store' }).catch(function () { /* only a hint */ }); } catch (e) { /* ignore */ }
  }

  function showLive(state) {
    var text = state && LIVE_TEXT[lang][state];
    liveStatus.hidden = !text;
    liveStatus.textContent = text || '';
    if (text) liveStatus.setAttribute('data-state', state); else liveStatus.removeAttribute('data-state');
  }

  function closeLive() {
    if (liveSource) liveSource.close();
    liveSource = null;
    liveToken = null;
    showLive(null);
    var ends = log.querySelectorAll('.choices.live-end:not(.used)');
    for (var i = 0; i < ends.length; i++) ends[i].classList.add('used');
    showTyping(false);
  }

  function followLive(live) {
    if (!live) { closeLive(); return; }
    showLive(live.state);
    if (liveSource && liveToken === live.stream) return;
    closeLive();
    showLive(live.state);
    liveToken = live.stream;
    liveSource = new EventSource('/api/chat/live/' + encodeURIComponent(live.stream));
    liveSource.addEventListener('message', function (ev) {
      var data = JSON.parse(ev.data);
      showTyping(false);
      disableOldChoices();
      renderReplies(data.replies || []);
      if (data.state === 'ended') closeLive(); else if (data.state) showLive(data.state);
    });
    liveSource.addEventListener('typing', function () { showTyping(true); });
    liveSource.addEventListener('end', closeLive);
    liveSource.addEventListener('error', function () {
      // Closed for good (the chat is gone): stop; otherwise the browser reconnects with Last-Event-ID.
      if (liveSource && liveSource.readyState === EventSource.CLOSED) closeLive();
    });
  }

  function post(body, attempt) {
    return fetch('/api/chat', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      cache: 'no-store',
      body: JSON.stringify(body)
    }).then(function (res) {
      if (res.status >= 500 && attempt < 2) throw new Error('retry');
      return res.json().then(function (data) { return { status: res.status, data: data }; });
    }).catch(function (err) {
      // Network trouble: retry the same message id; the server never processes it twice.
      if (attempt < 2) {
        return new Promise(function (r) { setTimeout(r, 800 * (attempt + 1)); }).then(function () { return post(body, attempt + 1); });
      }
      throw err;
    });
  }

  function send(what, shown) {
    if (busy) return;
    busy = true;
    if (shown) bubble(shown, 'me');
    disableOldChoices();
    var typing = document.createElement('div');
    typing.className = 'typing';
    typing.textContent = '…';
    log.appendChild(typing);
    scroll();
    var body = { client: clientId(), id: randomId(12) };
    if (what.text !== undefined) body.text = what.text;
    if (what.payload !== undefined) body.payload = what.payload;
    if (what.ref !== undefined) body.ref = what.ref;
    if (what.start) body.start = true;
    post(body, 0).then(function (r) {
      typing.remove();
      if (r.status === 200) { setLang(r.data.lang); renderReplies(r.data.replies || []); followLive(r.data.live); }
      // Sending too fast: the server's own honest words (and a crisis still gets its first answer).
      else if (r.status === 429 && r.data && r.data.replies) renderReplies(r.data.replies);
      else bubble(lang === 'en' ? 'Sorry, that message could not be sent.' : 'Xin lỗi, tin nhắn chưa gửi được.', 'note');
    }).catch(function () {
      typing.remove();
      const police = document.body.dataset.police; // the page is rendered with content/hotlines.yaml's number
      bubble(lang === 'en' ? `No connection. Please try again. In danger now? Call ${police}.` : `Mất kết nối. Bạn thử lại nhé. Nếu đang nguy hiểm, hãy gọi ${police}.`, 'note');
    }).then(function () { busy = false; input.focus(); });
  }

  // What is typed here is not for the browser's autofill memory.
  input.setAttribute('autocomplete', 'off');

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value;
    if (!text.trim()) { input.focus(); return; }
    input.value = '';
    send({ text: text }, text);
  });

  input.addEventListener('input', function () { if (input.value.trim()) typingPing(); });

  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });

  // The page's words follow the conversation's language: the button, or what the person writes (the server says
  // which language it answers in). Elements with data-en (data-en-title, data-en-label) hold their English.
  var WORDS = Array.prototype.map.call(document.querySelectorAll('[data-en], [data-en-title], [data-en-label]'), function (el) {
    return {
      el: el,
      text: { vi: el.textContent, en: el.getAttribute('data-en') },
      title: { vi: el.getAttribute('title'), en: el.getAttribute('data-en-title') },
      label: { vi: el.getAttribute('aria-label'), en: el.getAttribute('data-en-label') }
    };
  });

  function setLang(next) {
    if ((next !== 'vi' && next !== 'en') || next === lang) return;
    lang = next;
    var t = UI[lang];
    document.documentElement.lang = lang;
    langBtn.textContent = t.switchTo;
    langBtn.setAttribute('aria-label', t.switchLabel);
    langBtn.setAttribute('lang', t.switchLang);
    input.placeholder = t.placeholder;
    WORDS.forEach(function (w) {
      if (w.text.en !== null) w.el.textContent = w.text[lang];
      if (w.title.en !== null) w.el.setAttribute('title', w.title[lang]);
      if (w.label.en !== null) w.el.setAttribute('aria-label', w.label[lang]);
    });
    var state = liveStatus.getAttribute('data-state');
    if (state) showLive(state);
  }

  langBtn.addEventListener('click', function () {
    setLang(lang === 'vi' ? 'en' : 'vi');
    send({ payload: lang === 'en' ? 'cmd:lang_en' : 'cmd:lang_vi' });
  });

  // Quick exit: tell the server the person has gone (a counsellor's chat ends at once with "left"), wipe this
  // page's state and leave for a neutral site, replacing this page's history entry (the back button does not
  // return). Esc twice within a second does the same.
  function quickExit() {
    var id = null;
    try { id = sessionStorage.getItem(KEY); } catch (e) { /* ignore */ }
    if (id) {
      try {
        fetch('/api/chat/leave', { method: 'POST', keepalive: true, credentials: 'same-origin', cache: 'no-store', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ client: id }) });
      } catch (e) { /* leaving matters more */ }
    }
    closeLive();
    try { sessionStorage.clear(); } catch (e) { /* ignore */ }
    log.textContent = '';
    input.value = '';
    window.location.replace(NEUTRAL_SITE);
  }
  exitBtn.addEventListener('click', quickExit);
  var lastEsc = 0;
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') return;
    var now = Date.now();
    if (now - lastEsc < 1000) quickExit();
    lastEsc = now;
  });

  // A campaign poster's ref (?ref=p…): read once, sent with the start, never stored in the page.
  var posterRef = null;
  try { var r = new URLSearchParams(location.search).get('ref'); if (r && /^p[a-z0-9]{7}$/.test(r)) posterRef = r; } catch (e) { /* ignore */ }

  // One history entry for the whole chat, at the site's neutral address (no query or fragment kept).
  try { if (location.search || location.hash) history.replaceState(null, '', location.pathname); } catch (e) { /* ignore */ }

  send(posterRef ? { start: true, ref: posterRef } : { start: true });
})();
