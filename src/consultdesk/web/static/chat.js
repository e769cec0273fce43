// Customer chat widget: opens a chat as a visitor, then talks over /ws/chat/{id}.
// Every message is shown with textContent (never as HTML). A message stays "pending"
// until the server acknowledges it (stored); pending messages are resent on reconnect
// with the same client_msg_id, which the server stores once.
(function () {
  'use strict';
  const root = document.getElementById('chat-widget');
  if (!root) return;
  const en = root.dataset.lang === 'en';
  const L = en
    ? { customer: 'You', agent: 'Agent', system: 'Notice', bot: 'Assistant', waiting: 'Waiting for an agent…', connected: 'Connected', lost: 'Connection lost, reconnecting…', confirmed: 'Confirmed, thank you.' }
    : { customer: '我', agent: '客服', system: '提示', bot: '智能客服', waiting: '正在为您接入客服，请稍候…', connected: '已连接', lost: '连接中断，正在重连…', confirmed: '已确认，谢谢您。' };
  const startForm = document.getElementById('chat-start');
  const box = document.getElementById('chat-box');
  const log = document.getElementById('chat-log');
  const statusEl = document.getElementById('chat-status');
  const errorEl = document.getElementById('chat-error');
  const warningEl = document.getElementById('chat-warning');
  const sendForm = document.getElementById('chat-send');
  const summaryBox = document.getElementById('chat-summary');
  const summaryText = document.getElementById('chat-summary-text');
  const confirmBtn = document.getElementById('chat-confirm');
  const state = { cid: null, token: null, ws: null, seen: new Set(), pending: new Map(), acked: new Map(), n: 0 };

  function showError(message) { errorEl.textContent = message; errorEl.hidden = !message; }

  function line(kind, text, extra) {
    const li = document.createElement('li');
    li.className = 'author-' + kind + (extra ? ' ' + extra : '');
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = (L[kind] || kind) + '：';
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = text;
    li.append(who, body);
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    return li;
  }

  function show(m) {
    if (state.seen.has(m.seq)) return;
    state.seen.add(m.seq);
    const p = m.client_msg_id && state.pending.get(m.client_msg_id);
    if (p && p.el) { p.el.remove(); p.el = null; }
    const li = line(m.author_kind, m.text);
    li.dataset.seq = String(m.seq);
  }

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const ws = new WebSocket(scheme + location.host + '/ws/chat/' + encodeURIComponent(state.cid) + '?token=' + encodeURIComponent(state.token));
    state.ws = ws;
    ws.onopen = function () {
      statusEl.textContent = L.connected;
      state.pending.forEach(function (p, id) { ws.send(JSON.stringify({ type: 'message', client_msg_id: id, text: p.text })); });
    };
    ws.onmessage = function (e) {
      const ev = JSON.parse(e.data);
      if (ev.type === 'history') { ev.messages.forEach(show); if (!ev.messages.length) statusEl.textContent = L.waiting; }
      else if (ev.type === 'message') show(ev.message);
      else if (ev.type === 'ack') {
        // Stored: the message keeps its place; the server does not echo it back.
        const p = state.pending.get(ev.client_msg_id);
        state.seen.add(ev.seq);
        if (p && p.el) { p.el.classList.remove('pending'); p.el.dataset.seq = String(ev.seq); state.acked.set(ev.client_msg_id, p.el); }
        state.pending.delete(ev.client_msg_id);
      }
      else if (ev.type === 'warning') {
        warningEl.textContent = ev.text; warningEl.hidden = false;
        const el = state.acked.get(ev.client_msg_id);
        if (el && ev.stored_text) el.querySelector('.text').textContent = ev.stored_text;
      }
      else if (ev.type === 'error') {
        if (ev.client_msg_id) { const p = state.pending.get(ev.client_msg_id); if (p && p.el) p.el.remove(); state.pending.delete(ev.client_msg_id); }
        showError(ev.message);
      }
    };
    ws.onclose = function (e) {
      if (e.code === 4401) { showError('会话已失效'); return; }
      statusEl.textContent = L.lost;
      setTimeout(connect, 1000);
    };
  }

  async function pollSummary() {
    if (!state.cid) return;
    try {
      const r = await fetch('/api/v1/chat/' + encodeURIComponent(state.cid), { headers: { 'X-Chat-Token': state.token } });
      if (r.ok) {
        const c = await r.json();
        if (c.summary && !c.summary_confirmed_at) { summaryText.textContent = c.summary; summaryBox.hidden = false; }
        else summaryBox.hidden = true;
        // CLS-2: once the consultation is resolved, the customer rates it here.
        const over = c.status === 'resolved' || c.status === 'closed';
        rateBox.hidden = !over || state.rated;
        if (!over) pollVerification();
      }
    } catch (err) { /* offline: try again later */ }
  }

  function begin() {
    startForm.hidden = true;
    box.hidden = false;
    connect();
    setInterval(pollSummary, 2000);
  }

  startForm.addEventListener('submit', async function (e) {
    e.preventDefault();
    showError('');
    const f = new FormData(startForm);
    const body = { branch: f.get('branch'), lang: en ? 'en' : 'zh' };
    if (f.get('subject')) body.subject = f.get('subject');
    if (f.get('phone')) body.phone = f.get('phone');
    const r = await fetch('/api/v1/chat', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const data = await r.json();
    if (!r.ok) { showError(data.error ? data.error.message : String(r.status)); return; }
    state.cid = data.consultation_id;
    state.token = data.token;
    sessionStorage.setItem('cd_chat', JSON.stringify({ cid: state.cid, token: state.token }));
    begin();
  });

  sendForm.addEventListener('submit', function (e) {
    e.preventDefault();
    const area = sendForm.elements.namedItem('text');
    const text = area.value.trim();
    if (!text) return;
    const id = 'c-' + Date.now().toString(36) + '-' + (state.n++);
    const el = line('customer', text, 'pending');
    state.pending.set(id, { text: text, el: el });
    if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify({ type: 'message', client_msg_id: id, text: text }));
    area.value = '';
  });

  const rateBox = document.getElementById('chat-rate');
  const thanks = document.getElementById('chat-thanks');
  rateBox.addEventListener('click', async function (e) {
    const b = e.target.closest('button[data-rating]');
    if (!b) return;
    const r = await fetch('/api/v1/chat/' + encodeURIComponent(state.cid) + '/rating', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Chat-Token': state.token },
      body: JSON.stringify({ rating: b.dataset.rating }),
    });
    if (r.ok) { state.rated = true; rateBox.hidden = true; thanks.hidden = false; }
    else { const d = await r.json().catch(function () { return null; }); showError(d && d.error ? d.error.message : String(r.status)); }
  });

  // ACC-6: the agent sends a code to the registered phone; the customer types it here.
  const verifyForm = document.getElementById('chat-verify');
  const verifiedNote = document.getElementById('chat-verified');
  function showVerification(v) {
    verifyForm.hidden = v.verified || !v.code_sent;
    verifiedNote.hidden = !v.verified;
  }
  async function pollVerification() {
    const r = await fetch('/api/v1/chat/' + encodeURIComponent(state.cid) + '/verification', { headers: { 'X-Chat-Token': state.token } });
    if (r.ok) showVerification(await r.json());
  }
  verifyForm.addEventListener('submit', async function (e) {
    e.preventDefault();
    const input = verifyForm.elements.namedItem('code');
    const r = await fetch('/api/v1/chat/' + encodeURIComponent(state.cid) + '/verification', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Chat-Token': state.token },
      body: JSON.stringify({ code: input.value.trim() }),
    });
    const d = await r.json().catch(function () { return null; });
    input.value = '';
    if (!r.ok) { showError(d && d.error ? d.error.message : String(r.status)); return; }
    showVerification(d);
    showError(d.verified ? '' : d.message || '');
  });

  confirmBtn.addEventListener('click', async function () {
    const r = await fetch('/api/v1/chat/' + encodeURIComponent(state.cid) + '/confirm', { method: 'POST', headers: { 'X-Chat-Token': state.token } });
    if (r.ok) { summaryBox.hidden = true; statusEl.textContent = L.confirmed; }
  });

  const saved = sessionStorage.getItem('cd_chat');
  if (saved) { const s = JSON.parse(saved); state.cid = s.cid; state.token = s.token; begin(); }
})();
