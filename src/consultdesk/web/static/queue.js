// Agent queue: accept a consultation, chat over /ws/agent, restate the problem (ACP-1),
// see the returning customer's history (ACC-5), hand an agitated customer to a colleague
// (STD-3), and see knowledge suggestions for the customer's latest message or the reply
// being typed (QC-5, PREP-1). All text is inserted with textContent. The CSRF header is
// added by app.js.
(function () {
  'use strict';
  const rows = document.getElementById('queue-rows');
  if (!rows) return;
  const panel = document.getElementById('chat-panel');
  const log = document.getElementById('agent-log');
  const errorEl = document.getElementById('agent-error');
  const panelId = document.getElementById('panel-id');
  const sendForm = document.getElementById('agent-send');
  const restateForm = document.getElementById('restate');
  const summaryState = document.getElementById('summary-state');
  const historyList = document.getElementById('history-list');
  const handoff = document.getElementById('handoff');
  const state = { ws: null, current: null, seen: new Set(), pending: new Map(), n: 0, queued: [], following: new Set(), unread: {} };
  const replyArea = sendForm.elements.namedItem('text');
  const suggestState = document.getElementById('suggest-state');
  const suggestList = document.getElementById('suggest-list');
  // Every text of this page, in the console's language: i18n.py's `queue.*` and `line.*`.
  const TEXT = JSON.parse(document.getElementById('queue-text').textContent);
  const Q = TEXT.queue;
  const SL = { idle: Q['suggest.idle'], none: Q['suggest.none'], loading: Q['suggest.loading'], failed: Q['suggest.failed'], insert: Q['suggest.insert'], match: Q['suggest.match'], lines: TEXT.line };
  const SUGGEST_DELAY_MS = 250;
  const SUGGEST_MAX_CHARS = 600; // the suggest API's limit on `text`
  const SUGGEST_RETRY_MS = 2000; // while the knowledge base loads after start-up
  // ticket: only the answer to the latest request is shown (an older one may arrive later).
  const suggestion = { timer: 0, ticket: 0, customerText: '', customerSeq: -1 };

  function showError(m) { errorEl.textContent = m || ''; errorEl.hidden = !m; }

  async function api(method, path, body) {
    const init = { method: method, headers: {} };
    if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
    const r = await fetch(path, init);
    const data = await r.json().catch(function () { return null; });
    if (!r.ok) {
      const err = new Error(data && data.error ? data.error.message : String(r.status));
      err.code = data && data.error ? data.error.code : '';
      throw err;
    }
    return data;
  }

  function line(m, extra) {
    const li = document.createElement('li');
    li.className = 'author-' + m.author_kind + (extra ? ' ' + extra : '');
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = (Q['who.' + m.author_kind] || m.author_kind) + Q.said;
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = m.text;
    li.append(who, body);
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    return li;
  }

  // Shows a message once; true when it is the customer's latest message so far.
  function show(m) {
    if (m.consultation_id !== state.current || state.seen.has(m.seq)) return false;
    state.seen.add(m.seq);
    const p = m.client_msg_id && state.pending.get(m.client_msg_id);
    if (p) { p.el.remove(); state.pending.delete(m.client_msg_id); }
    line(m).dataset.seq = String(m.seq);
    if (m.author_kind !== 'customer' || m.seq < suggestion.customerSeq || !meaningful(m.text)) return false;
    suggestion.customerSeq = m.seq;
    suggestion.customerText = m.text;
    return true;
  }

  // ---- knowledge suggestions (QC-5, PREP-1): the bot's own matcher, top three ----

  function meaningful(text) { return String(text || '').replace(/\s/g, '').length >= 2; }

  function suggestNote(text) {
    suggestList.replaceChildren();
    suggestState.textContent = text;
    suggestState.hidden = !text;
  }

  function suggestionItem(s) {
    const answerText = String(s.answer || '');
    const li = document.createElement('li');
    li.setAttribute('data-testid', 'suggest-item');
    const question = document.createElement('strong');
    question.className = 'suggest-question';
    question.textContent = String(s.question || '');
    const meta = document.createElement('span');
    meta.className = 'muted';
    const score = Number(s.score);
    meta.textContent = [
      s.business_line ? (SL.lines[s.business_line] || String(s.business_line)) : '',
      Number.isFinite(score) ? SL.match + ' ' + Math.round(score * 100) + '%' : '',
    ].filter(Boolean).join(' · ');
    const answer = document.createElement('p');
    answer.className = 'suggest-answer';
    answer.textContent = answerText;
    answer.title = answerText;
    const insert = document.createElement('button');
    insert.type = 'button';
    insert.setAttribute('data-testid', 'suggest-insert');
    insert.textContent = SL.insert;
    // The agent still sends it: the compliance check on send applies as to any reply.
    insert.addEventListener('click', function () { replyArea.value = answerText; replyArea.focus(); });
    li.append(question, ' ', meta, answer, insert);
    return li;
  }

  async function suggestFor(text) {
    clearTimeout(suggestion.timer);
    const ticket = ++suggestion.ticket;
    let found;
    try {
      const q = Array.from(text.trim()).slice(0, SUGGEST_MAX_CHARS).join('');
      found = await api('GET', '/api/v1/assistant/suggest?text=' + encodeURIComponent(q));
    } catch (err) {
      if (ticket !== suggestion.ticket) return;
      if (err.code === 'assistant_loading') {
        suggestNote(SL.loading);
        suggestion.timer = setTimeout(function () {
          if (ticket === suggestion.ticket) suggestFor(text);
        }, SUGGEST_RETRY_MS);
        return;
      }
      suggestNote(SL.failed);
      return;
    }
    if (ticket !== suggestion.ticket) return;
    const list = Array.isArray(found) ? found.slice(0, 3) : [];
    if (!list.length) { suggestNote(SL.none); return; }
    suggestNote('');
    list.forEach(function (s) { suggestList.appendChild(suggestionItem(s)); });
  }

  function resetSuggestions() {
    clearTimeout(suggestion.timer);
    suggestion.ticket++;
    suggestion.customerText = '';
    suggestion.customerSeq = -1;
    suggestNote(SL.idle);
  }

  // As the agent types (debounced); with less than two characters typed, back to the
  // customer's latest message.
  replyArea.addEventListener('input', function () {
    clearTimeout(suggestion.timer);
    const text = replyArea.value;
    suggestion.timer = setTimeout(function () {
      if (meaningful(text)) suggestFor(text);
      else if (suggestion.customerText) suggestFor(suggestion.customerText);
      else { suggestion.ticket++; suggestNote(SL.idle); }
    }, SUGGEST_DELAY_MS);
  });

  function socket() {
    if (state.ws && state.ws.readyState <= WebSocket.OPEN) return state.ws;
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const ws = new WebSocket(scheme + location.host + '/ws/agent');
    state.ws = ws;
    ws.onopen = function () { state.queued.splice(0).forEach(function (f) { ws.send(f); }); };
    ws.onmessage = function (e) {
      const ev = JSON.parse(e.data);
      if (ev.type === 'history') {
        if (ev.consultation_id !== state.current) return;
        if (ev.messages.map(show).some(Boolean)) suggestFor(suggestion.customerText);
      }
      else if (ev.type === 'message') { noteUnread(ev.message); if (show(ev.message)) suggestFor(suggestion.customerText); }
      else if (ev.type === 'ack') {
        const p = state.pending.get(ev.client_msg_id);
        if (ev.consultation_id === state.current) state.seen.add(ev.seq);
        if (p) { p.el.classList.remove('pending'); p.el.dataset.seq = String(ev.seq); state.pending.delete(ev.client_msg_id); }
      }
      else if (ev.type === 'error') showError(ev.message);
    };
    ws.onclose = function () {
      state.ws = null;
      state.following = new Set();  // the new socket follows them again
      setTimeout(function () { if (state.current) { state.following.add(state.current); subscribe(state.current); } followHeld(); }, 1000);
    };
    return ws;
  }

  function send(frame) {
    const ws = socket();
    const text = JSON.stringify(frame);
    if (ws.readyState === WebSocket.OPEN) ws.send(text); else state.queued.push(text);
  }

  function subscribe(id) { send({ type: 'subscribe', consultation_id: id }); }

  async function loadHistory(customerId) {
    historyList.replaceChildren();
    if (!customerId) { const li = document.createElement('li'); li.className = 'muted'; li.textContent = Q.visitor; historyList.appendChild(li); return; }
    try {
      const h = await api('GET', '/api/v1/customers/' + encodeURIComponent(customerId) + '/history');
      const head = document.createElement('li');
      head.textContent = h.customer.name + ' ' + (h.customer.phone_masked || '') + ' ' + (h.customer.id_number_masked || '') + Q.matched_by_phone
        + (h.customer.risk_tolerance ? ' · ' + Q.risk + ' ' + h.customer.risk_tolerance : '');
      historyList.appendChild(head);
      h.consultations.forEach(function (c) {
        if (c.id === state.current) return;
        const li = document.createElement('li');
        li.textContent = c.opened_at.slice(0, 10) + ' ' + c.channel + ' ' + (c.subject || '') + ' · ' + (Q['status.' + c.status] || c.status);
        historyList.appendChild(li);
      });
    } catch (err) { showError(err.message); }
  }

  function open(row) {
    state.current = row.dataset.id;
    state.unread[state.current] = 0;
    state.seen = new Set();
    state.pending = new Map();
    log.replaceChildren();
    panelId.textContent = state.current;
    summaryState.textContent = '';
    resetSuggestions();
    panel.hidden = false;
    showError('');
    subscribe(state.current);
    state.following.add(state.current);
    followHeld();
    loadHistory(row.dataset.customer);
    loadIdentity(state.current);
    loadWork(state.current, row.dataset.customer);
    verifyLink.href = '/console/identity?consultation_id=' + encodeURIComponent(state.current);
    draft.flags.replaceChildren(); draft.fix.hidden = true;
  }

  function cell(text) { const td = document.createElement('td'); td.textContent = text; return td; }

  function button(cls, testid, text) {
    const b = document.createElement('button');
    b.type = 'button'; b.className = cls; b.dataset.testid = testid; b.setAttribute('data-testid', testid); b.textContent = text;
    return b;
  }

  // New chats appear without reloading the page.
  async function refresh() {
    let list;
    try { list = await api('GET', '/api/v1/consultations?open_only=true&limit=200'); } catch (err) { return; }
    const fresh = list.map(function (c) {
      const tr = document.createElement('tr');
      tr.dataset.id = c.id; tr.dataset.customer = c.customer_id || ''; tr.dataset.status = c.status; tr.dataset.agent = c.agent_id || ''; tr.dataset.subject = c.subject || '';
      const actions = document.createElement('td');
      actions.append(button('q-accept', 'accept', Q.accept), ' ', button('q-open', 'open', Q.open));
      tr.append(cell(c.opened_at.slice(0, 16).replace('T', ' ')), cell(c.channel), cell(c.branch), cell(c.subject || ''), cell(Q['status.' + c.status] || c.status), actions);
      return tr;
    });
    rows.replaceChildren.apply(rows, fresh);
    followHeld();
  }
  setInterval(refresh, 5000);

  // --- the chats in hand, side by side as tabs: each followed live, unread counted ----
  const heldBox = document.getElementById('held-chats');
  const HELD = ['in_progress', 'waiting_customer'];
  function followHeld() {
    const me = heldBox.dataset.me;
    const held = Array.from(rows.querySelectorAll('tr[data-id]')).filter(function (r) {
      return r.dataset.agent === me && HELD.indexOf(r.dataset.status) >= 0;
    });
    held.forEach(function (r) {
      if (!state.following.has(r.dataset.id)) { state.following.add(r.dataset.id); subscribe(r.dataset.id); }
    });
    heldBox.replaceChildren();
    held.forEach(function (r) {
      const b = document.createElement('button');
      b.type = 'button'; b.setAttribute('role', 'tab'); b.setAttribute('data-testid', 'held-chat');
      b.dataset.id = r.dataset.id;
      b.setAttribute('aria-selected', String(r.dataset.id === state.current));
      b.textContent = r.dataset.subject || r.dataset.id;
      const n = state.unread[r.dataset.id] || 0;
      if (n) { const badge = document.createElement('span'); badge.className = 'badge'; badge.setAttribute('data-testid', 'unread'); badge.textContent = String(n); b.append(' ', badge); }
      b.addEventListener('click', function () { open(r); });
      heldBox.appendChild(b);
    });
    heldBox.hidden = !held.length;
  }
  function noteUnread(m) {
    if (m.consultation_id === state.current || m.author_kind !== 'customer') return;
    state.unread[m.consultation_id] = (state.unread[m.consultation_id] || 0) + 1;
    followHeld();
  }
  refresh();

  rows.addEventListener('click', async function (e) {
    const button = e.target.closest('button');
    const row = e.target.closest('tr[data-id]');
    if (!button || !row) return;
    if (button.classList.contains('q-accept')) {
      try {
        const c = await api('POST', '/api/v1/consultations/' + encodeURIComponent(row.dataset.id) + '/moves', { move: 'accept' });
        row.dataset.status = c.status;
        row.dataset.agent = c.agent_id || '';
        row.children[4].textContent = Q['status.' + c.status] || c.status;
      } catch (err) { showError(err.message); return; }
    }
    open(row);
  });

  sendForm.addEventListener('submit', function (e) {
    e.preventDefault();
    const area = sendForm.elements.namedItem('text');
    const text = area.value.trim();
    if (!text || !state.current) return;
    const id = 'a-' + Date.now().toString(36) + '-' + (state.n++);
    state.pending.set(id, { el: line({ author_kind: 'agent', text: text }, 'pending') });
    send({ type: 'message', consultation_id: state.current, client_msg_id: id, text: text });
    area.value = '';
  });

  restateForm.addEventListener('submit', async function (e) {
    e.preventDefault();
    const input = restateForm.elements.namedItem('summary');
    try {
      await api('POST', '/api/v1/consultations/' + encodeURIComponent(state.current) + '/summary', { summary: input.value });
      summaryState.textContent = Q.restated;
      input.value = '';
      watchConfirmation(state.current);
    } catch (err) { showError(err.message); }
  });

  function watchConfirmation(id) {
    const timer = setInterval(async function () {
      if (state.current !== id) { clearInterval(timer); return; }
      try {
        const c = await api('GET', '/api/v1/consultations/' + encodeURIComponent(id));
        if (c.summary_confirmed_at) { summaryState.textContent = Q.confirmed; clearInterval(timer); }
      } catch (err) { clearInterval(timer); }
    }, 2000);
  }

  handoff.addEventListener('click', async function () {
    if (!state.current) return;
    try {
      await api('POST', '/api/v1/consultations/' + encodeURIComponent(state.current) + '/handoff', { reason: 'agitated' });
      summaryState.textContent = Q.handed_off;
    } catch (err) { showError(err.message); }
  });

  // --- the customer panel: verification state and the step to verify (ACC-4) ---------
  const verifyLink = document.getElementById('verify-link');
  const identityState = document.getElementById('identity-state');
  async function loadIdentity(id) {
    try {
      const v = await api('GET', '/api/v1/consultations/' + encodeURIComponent(id) + '/identity');
      if (state.current !== id) return;
      const ok = v.level === 'verified';
      identityState.textContent = ok ? Q.verified : Q.unverified;
      identityState.className = ok ? 'notice' : 'error';
      if (ok && !work.productsFor) loadProducts(id);
    } catch (err) { identityState.textContent = ''; }
  }
  // The check happens in the verification page beside the chat: follow it here.
  const IDENTITY_POLL_MS = 3000;
  setInterval(function () { if (state.current && !document.hidden) loadIdentity(state.current); }, IDENTITY_POLL_MS);
  window.addEventListener('focus', function () { if (state.current) loadIdentity(state.current); });

  // --- compliance flags on the draft, before send, with the fix in one click (QC-6) ---
  const draft = { flags: document.getElementById('draft-flags'), fix: document.getElementById('apply-fix'), timer: 0, ticket: 0, fixed: '' };
  function showFlags(result, text) {
    draft.flags.replaceChildren();
    if (result.flags.length) {
      const hint = document.createElement('li');
      hint.className = result.blocked ? 'block' : '';
      hint.textContent = result.blocked ? Q.blocked_hint : Q.fixed_hint;
      draft.flags.appendChild(hint);
    }
    result.flags.forEach(function (f) {
      const li = document.createElement('li');
      li.className = f.action === 'block' ? 'block' : 'fix';
      li.dataset.code = f.code;
      const code = document.createElement('strong');
      code.textContent = '[' + f.code + '] ';
      li.appendChild(code);
      if (f.evidence) { const mark = document.createElement('mark'); mark.textContent = f.evidence; li.append(mark, ' '); }
      li.append(f.message);
      draft.flags.appendChild(li);
    });
    draft.fixed = result.fixed_text;
    draft.fix.hidden = result.blocked || !result.fixed_text || result.fixed_text === text;
  }
  async function checkDraft() {
    const text = replyArea.value.trim();
    const mine = ++draft.ticket;
    if (!text || !state.current) { draft.flags.replaceChildren(); draft.fix.hidden = true; return; }
    try {
      const result = await api('POST', '/api/v1/consultations/' + encodeURIComponent(state.current) + '/draft-check', { text: text });
      if (mine === draft.ticket) showFlags(result, text);
    } catch (err) { /* the gate still checks on send */ }
  }
  replyArea.addEventListener('input', function () { clearTimeout(draft.timer); draft.timer = setTimeout(checkDraft, 300); });
  draft.fix.addEventListener('click', function () {
    replyArea.value = draft.fixed;
    replyArea.focus();
    checkDraft();
  });
  sendForm.addEventListener('submit', function () { draft.flags.replaceChildren(); draft.fix.hidden = true; });

  // --- scripts (SOL-1), inserted into the reply ---------------------------------------
  const scriptQ = document.getElementById('panel-script-q');
  const scriptList = document.getElementById('panel-scripts');
  let scriptTicket = 0;
  async function searchScripts() {
    const mine = ++scriptTicket;
    let found;
    try { found = await api('GET', '/api/v1/workspace/scripts?q=' + encodeURIComponent(scriptQ.value)); } catch (err) { return; }
    if (mine !== scriptTicket) return;
    scriptList.replaceChildren();
    found.slice(0, 6).forEach(function (sc) {
      const li = document.createElement('li');
      li.dataset.code = sc.code;
      const title = document.createElement('strong');
      title.textContent = document.documentElement.lang === 'en' ? sc.title_en : sc.title;
      const b = button('insert-script', 'insert-script', Q.insert);
      b.addEventListener('click', function () {
        replyArea.value = (replyArea.value ? replyArea.value + ' ' : '') + sc.text;
        replyArea.focus();
        checkDraft();
      });
      li.append(title, ' ', b);
      scriptList.appendChild(li);
    });
  }
  scriptQ.addEventListener('input', searchScripts);
  searchScripts();

  // --- resolve and close: the customer is asked to rate (CLS-2) -----------------------
  document.getElementById('resolve').addEventListener('click', async function () {
    if (!state.current) return;
    try {
      await api('POST', '/api/v1/consultations/' + encodeURIComponent(state.current) + '/moves', { move: 'resolve' });
      summaryState.textContent = Q.resolved;
      refresh();
    } catch (err) { showError(err.message); }
  });

  // --- the customer's products and open follow-ups; record and act (ACC-4, CLS-3, SOL-4)
  const workBox = document.querySelector('[data-testid=work-forms]');
  const work = { productsFor: null, customer: null };
  const products = document.getElementById('customer-products');
  const followups = document.getElementById('customer-followups');
  const workState = document.getElementById('work-state');
  const classifyForm = document.getElementById('classify-form');
  const reasonInput = document.getElementById('move-reason');
  const followupForm = document.getElementById('followup-form');
  const appointmentForm = document.getElementById('appointment-form');
  function item(list, text) { const li = document.createElement('li'); li.textContent = text; list.appendChild(li); return li; }
  function muted(list, text) { list.replaceChildren(); item(list, text).className = 'muted'; }
  function said(text) { workState.textContent = text; showError(''); }
  const cid = function () { return encodeURIComponent(state.current); };

  async function loadProducts(id) {
    work.productsFor = id;
    try {
      const f = await api('GET', '/api/v1/consultations/' + encodeURIComponent(id) + '/core/accounts');
      if (state.current !== id) return;
      products.replaceChildren();
      if (!f.data.length) muted(products, Q['products.none']);
      f.data.forEach(function (a) { item(products, a.kind + ' ' + a.number_masked + ' · ' + a.status); });
      item(products, f.source.note).className = 'muted';
    } catch (err) { work.productsFor = null; muted(products, err.message); }
  }
  async function loadFollowups(customerId) {
    if (!customerId) { muted(followups, Q.visitor); return; }
    try {
      const open = (await api('GET', '/api/v1/customers/' + encodeURIComponent(customerId) + '/followups'))
        .filter(function (f) { return f.state !== 'closed'; });
      followups.replaceChildren();
      if (!open.length) muted(followups, '—');
      open.forEach(function (f) {
        item(followups, Q['followup.' + f.kind] + ' · ' + Q['followup.due'] + ' ' + f.due_date + (f.overdue ? ' ⚠' : ''));
      });
    } catch (err) { muted(followups, err.message); }
  }
  async function loadSlots() {
    const select = appointmentForm.elements.namedItem('slot_id');
    const today = new Date().toISOString().slice(0, 10);
    try {
      const slots = await api('GET', '/api/v1/appointments/slots?branch=' + encodeURIComponent(workBox.dataset.branch) + '&day_from=' + today);
      select.replaceChildren();
      const none = document.createElement('option'); none.value = ''; none.textContent = slots.length ? '—' : Q['slots.none'];
      select.appendChild(none);
      slots.slice(0, 30).forEach(function (sl) {
        const o = document.createElement('option');
        o.value = sl.id; o.textContent = sl.day + ' ' + String(sl.starts).slice(0, 5) + '–' + String(sl.ends).slice(0, 5);
        select.appendChild(o);
      });
    } catch (err) { /* booking stays possible once slots load */ }
  }
  function loadWork(id, customerId) {
    work.productsFor = null; work.customer = customerId || null;
    muted(products, Q['products.after_verify']);
    classifyForm.reset(); reasonInput.value = ''; workState.textContent = '';
    appointmentForm.hidden = !customerId;
    loadFollowups(customerId);
    api('GET', '/api/v1/consultations/' + encodeURIComponent(id)).then(function (c) {
      if (state.current !== id) return;
      ['type', 'business_line', 'priority', 'complexity'].forEach(function (k) {
        if (c[k]) classifyForm.elements.namedItem(k).value = c[k];
      });
    }).catch(function () { /* the form stays empty */ });
  }
  classifyForm.addEventListener('submit', async function (e) {
    e.preventDefault();
    if (!state.current) return;
    const body = {};
    ['type', 'business_line', 'priority', 'complexity'].forEach(function (k) {
      const v = classifyForm.elements.namedItem(k).value; if (v) body[k] = v;
    });
    try { await api('POST', '/api/v1/consultations/' + cid() + '/classify', body); said(Q.saved); checkDraft(); }
    catch (err) { showError(err.message); }
  });
  async function handBack(move, done) {
    if (!state.current) return;
    const reason = reasonInput.value.trim();
    if (!reason) { showError(Q.reason_needed); reasonInput.focus(); return; }
    try {
      await api('POST', '/api/v1/routing/queue/' + cid() + '/hand-back', { move: move, reason: reason });
      said(done); refresh();
    } catch (err) { showError(err.message); }
  }
  document.getElementById('escalate').addEventListener('click', function () { handBack('escalate', Q.escalated); });
  document.getElementById('transfer').addEventListener('click', function () { handBack('transfer', Q.transferred); });
  followupForm.addEventListener('submit', async function (e) {
    e.preventDefault();
    if (!state.current) return;
    try {
      const f = await api('POST', '/api/v1/consultations/' + cid() + '/followups', { kind: followupForm.elements.namedItem('kind').value, owner_id: workBox.dataset.me });
      said(Q.followup_opened + f.due_date);
      loadFollowups(work.customer);
    } catch (err) { showError(err.message); }
  });
  appointmentForm.addEventListener('submit', async function (e) {
    e.preventDefault();
    if (!state.current || !work.customer) return;
    try {
      const a = await api('POST', '/api/v1/appointments', {
        slot_id: appointmentForm.elements.namedItem('slot_id').value,
        customer_id: work.customer,
        purpose: appointmentForm.elements.namedItem('purpose').value,
        consultation_id: state.current,
      });
      said(Q.booked + a.number);
      loadSlots();
    } catch (err) { showError(err.message); }
  });
  loadSlots();

  // --- keyboard: Ctrl+Enter sends, Alt+F applies the fix, Alt+S saves the record -------
  replyArea.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); sendForm.requestSubmit(); }
  });
  document.addEventListener('keydown', function (e) {
    if (!e.altKey || panel.hidden) return;
    const k = e.key.toLowerCase();
    if (k === 'f' && !draft.fix.hidden) { e.preventDefault(); draft.fix.click(); }
    else if (k === 's') { e.preventDefault(); classifyForm.requestSubmit(); }
  });

  // /console/queue?open=ID (from the supervisor's wall or the workspace) opens that chat.
  const wanted = new URLSearchParams(location.search).get('open');
  if (wanted) {
    const openWanted = function () {
      const row = Array.from(rows.querySelectorAll('tr[data-id]')).find(function (r) { return r.dataset.id === wanted; });
      if (row) open(row);
      return !!row;
    };
    if (!openWanted()) refresh().then(openWanted);
  }

})();
