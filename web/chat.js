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

  function bubble(text, who) {
    var div = document.createElement('div');
    div.className = 'msg ' + who;
    div.textContent = who === 'me' ? maskSecrets(text) : text;
    log.appendChild(div);
    scroll();
    return div;
  }

  function disableOldChoices() {
    var groups = log.querySelectorAll('.choices:not(.used)');
    for (var i = 0; i < groups.length; i++) groups[i].classList.add('used');
  }

  function renderReplies(replies) {
    for (var i = 0; i < replies.length; i++) {
      var r = replies[i];
      bubble(r.text, 'bot');
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
          box.appendChild(b);
        });
        log.appendChild(box);
      }
    }
    scroll();
  }

  var liveStatus = document.getElementById('live-status');
  var LIVE_TEXT = {
    vi: { waiting: 'Đang chờ tư vấn viên… Gõ "kết thúc" để quay lại bot.', active: 'Đang trò chuyện với tư vấn viên · gõ "kết thúc" để dừng.' },
    en: { waiting: 'Waiting for a counsellor… Type "end" to go back to the bot.', active: 'Talking with a counsellor · type "end" to stop.' }
  };

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
      disableOldChoices();
      renderReplies(data.replies || []);
      if (data.state === 'ended') closeLive(); else if (data.state) showLive(data.state);
    });
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
    if (what.start) body.start = true;
    post(body, 0).then(function (r) {
      typing.remove();
      if (r.status === 200) { renderReplies(r.data.replies || []); followLive(r.data.live); }
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

  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });

  langBtn.addEventListener('click', function () {
    lang = lang === 'vi' ? 'en' : 'vi';
    langBtn.textContent = lang === 'vi' ? 'EN' : 'VI';
    langBtn.setAttribute('aria-label', lang === 'vi' ? 'Switch to English' : 'Chuyển sang tiếng Việt');
    document.documentElement.lang = lang;
    input.placeholder = lang === 'vi' ? 'Gõ câu hỏi của bạn…' : 'Type your question…';
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

  // One history entry for the whole chat, at the site's neutral address (no query or fragment kept).
  try { if (location.search || location.hash) history.replaceState(null, '', location.pathname); } catch (e) { /* ignore */ }

  send({ start: true });
})();
