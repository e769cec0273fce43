// Supervisor's wall: escalations, queues by channel, agents by name, pushed over
// /ws/supervisor (STD-6); reassign or take over from the wall.
(function () {
  const rows = document.getElementById('escalation-rows');
  if (!rows) return;
  const T = JSON.parse(document.getElementById('wall-text').textContent);
  const queueRows = document.getElementById('queue-rows');
  const activeRows = document.getElementById('active-rows');
  const agentRows = document.getElementById('agent-rows');
  const channelRows = document.getElementById('channel-rows');
  const status = document.getElementById('live-status');
  const error = document.getElementById('wall-error');
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  const seen = new Set(Array.from(rows.querySelectorAll('tr[data-escalation]')).map(r => r.dataset.escalation));
  let offsetMs = 0; // server clock minus browser clock
  let queueItems = null;

  const tr = (k, fallback) => (k in T.wall ? T.wall[k] : fallback);
  const ch = (c) => T.channel[c] || c;
  const mmss = (s) => Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');

  function cell(text, cls) {
    const td = document.createElement('td');
    td.textContent = text == null ? '' : String(text);
    if (cls) td.className = cls;
    return td;
  }
  function button(cls, id, label) {
    const b = document.createElement('button');
    b.type = 'button'; b.className = cls; b.dataset.id = id; b.textContent = label;
    return b;
  }
  function waitedSince(iso) {
    return Math.max(0, Math.floor((Date.now() + offsetMs - Date.parse(iso)) / 1000));
  }

  function addEscalation(e) {
    if (seen.has(String(e.id))) return;
    seen.add(String(e.id));
    const row = document.createElement('tr');
    row.dataset.escalation = e.id;
    row.className = 'fresh';
    [e.label, e.consultation_id, e.agent_name || tr('unassigned', ''), e.branch, ch(e.channel),
      new Date(e.fired_at).toLocaleTimeString(), e.policy_version].forEach(v => row.appendChild(cell(v)));
    const td = document.createElement('td');
    td.appendChild(button('ack', e.id, tr('ack', 'OK')));
    row.appendChild(td);
    rows.insertBefore(row, rows.firstChild);
  }

  function showChannels() {
    if (!queueItems) return;
    const by = new Map();
    queueItems.forEach(q => {
      const c = by.get(q.channel) || { waiting: 0, offered: 0, longest: 0 };
      if (q.state === 'offered') c.offered += 1; else c.waiting += 1;
      c.longest = Math.max(c.longest, waitedSince(q.enqueued_at));
      by.set(q.channel, c);
    });
    channelRows.replaceChildren();
    [...by.entries()].sort((a, b) => b[1].longest - a[1].longest).forEach(([name, c]) => {
      const row = document.createElement('tr');
      row.dataset.channel = name;
      row.appendChild(cell(ch(name)));
      row.appendChild(cell(c.waiting));
      row.appendChild(cell(c.offered));
      const over = c.longest >= 600;
      const td = cell(mmss(c.longest) + (over ? ' · ' + tr('over10', '') : ''), over ? 'breach' : '');
      td.dataset.wait = c.longest;
      row.appendChild(td);
      channelRows.appendChild(row);
    });
  }

  function showQueue(items) {
    queueItems = items;
    queueRows.replaceChildren();
    items.forEach(q => {
      const row = document.createElement('tr');
      row.dataset.id = q.consultation_id;
      [q.consultation_id, q.branch, ch(q.channel), q.priority_rank, tr('state.' + q.state, q.state),
        q.agent_name || ''].forEach(v => row.appendChild(cell(v)));
      const wait = cell(mmss(waitedSince(q.enqueued_at)), 'wait');
      wait.dataset.since = q.enqueued_at;
      row.appendChild(wait);
      const td = document.createElement('td');
      td.appendChild(button('takeover', q.consultation_id, tr('takeover', 'Take over')));
      row.appendChild(td);
      queueRows.appendChild(row);
    });
    showChannels();
  }

  function showStaff(data) {
    agentRows.replaceChildren();
    data.agents.forEach(a => {
      const row = document.createElement('tr');
      row.dataset.agent = a.agent_id;
      [a.name, a.branch, T.role[a.role] || a.role, T.presence[a.status] || a.status,
        a.chats + '/' + a.max_chats, a.on_call ? tr('yes', 'Y') : tr('no', 'N')].forEach(v => row.appendChild(cell(v)));
      agentRows.appendChild(row);
    });
    activeRows.replaceChildren();
    data.active.forEach(q => {
      const row = document.createElement('tr');
      row.dataset.id = q.consultation_id;
      [q.consultation_id, q.branch, ch(q.channel), q.agent_name || '',
        new Date(q.enqueued_at).toLocaleTimeString()].forEach(v => row.appendChild(cell(v)));
      const td = document.createElement('td');
      td.appendChild(button('reassign', q.consultation_id, tr('reassign', 'Reassign')));
      td.appendChild(document.createTextNode(' '));
      td.appendChild(button('takeover', q.consultation_id, tr('takeover', 'Take over')));
      row.appendChild(td);
      activeRows.appendChild(row);
    });
  }

  async function post(url, body) {
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!r.ok) {
      let message = r.status + '';
      try { message = (await r.json()).error.message; } catch (e) { /* keep the status */ }
      error.textContent = message;
      error.hidden = false;
    } else {
      error.hidden = true;
    }
    return r;
  }

  document.addEventListener('click', async (ev) => {
    const ack = ev.target.closest('button.ack');
    if (ack) {
      const r = await post('/api/v1/sla/escalations/' + ack.dataset.id + '/ack');
      if (r.ok) ack.closest('tr').remove();
      return;
    }
    const move = ev.target.closest('button.reassign, button.takeover');
    if (!move) return;
    const kind = move.classList.contains('reassign') ? 'reassign' : 'takeover';
    const r = await post('/api/v1/routing/queue/' + encodeURIComponent(move.dataset.id) + '/' + kind,
      { reason: tr('reason_default', 'supervisor') });
    if (r.ok) {
      move.disabled = true;
      if (kind === 'takeover') location.href = '/console/queue?open=' + encodeURIComponent(move.dataset.id);
    }
  });

  setInterval(() => {
    document.querySelectorAll('#queue-rows td.wait').forEach(td => { td.textContent = mmss(waitedSince(td.dataset.since)); });
    showChannels();
  }, 1000);

  function connect(delay) {
    const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/supervisor');
    ws.onopen = () => { status.textContent = tr('connected', 'Live'); delay = 1000; };
    ws.onmessage = (m) => {
      const data = JSON.parse(m.data);
      if (data.type === 'escalation') addEscalation(data);
      if (data.type === 'queue') {
        if (data.server_now) offsetMs = Date.parse(data.server_now) - Date.now();
        showQueue(data.items);
      }
      if (data.type === 'agents') showStaff(data);
    };
    ws.onclose = () => {
      status.textContent = tr('reconnecting', '…');
      setTimeout(() => connect(Math.min(delay * 2, 30000)), delay);
    };
  }
  connect(1000);
})();
