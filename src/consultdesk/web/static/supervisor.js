// Supervisor live view: escalations and queue changes pushed over /ws/supervisor (STD-6).
(function () {
  const rows = document.getElementById('escalation-rows');
  const queueRows = document.getElementById('queue-rows');
  const status = document.getElementById('live-status');
  if (!rows) return;
  const seen = new Set(Array.from(rows.querySelectorAll('tr[data-escalation]')).map(r => r.dataset.escalation));

  function cell(text) {
    const td = document.createElement('td');
    td.textContent = text == null ? '' : String(text);
    return td;
  }

  function addEscalation(e) {
    if (seen.has(String(e.id))) return;
    seen.add(String(e.id));
    const tr = document.createElement('tr');
    tr.dataset.escalation = e.id;
    tr.className = 'fresh';
    [e.label, e.consultation_id, e.branch, e.channel, e.fired_at, e.policy_version].forEach(v => tr.appendChild(cell(v)));
    const td = document.createElement('td');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'ack';
    button.dataset.id = e.id;
    button.textContent = '已处理';
    td.appendChild(button);
    tr.appendChild(td);
    rows.insertBefore(tr, rows.firstChild);
  }

  function showQueue(items) {
    queueRows.replaceChildren();
    items.forEach(q => {
      const tr = document.createElement('tr');
      [q.consultation_id, q.branch, q.channel, q.priority_rank, q.state, q.agent_id, q.enqueued_at].forEach(v => tr.appendChild(cell(v)));
      queueRows.appendChild(tr);
    });
  }

  rows.addEventListener('click', async (ev) => {
    const button = ev.target.closest('button.ack');
    if (!button) return;
    const r = await fetch('/api/v1/sla/escalations/' + button.dataset.id + '/ack', { method: 'POST' });
    if (r.ok) button.closest('tr').remove();
  });

  function connect(delay) {
    const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/supervisor');
    ws.onopen = () => { status.textContent = '实时连接正常'; delay = 1000; };
    ws.onmessage = (m) => {
      const data = JSON.parse(m.data);
      if (data.type === 'escalation') addEscalation(data);
      if (data.type === 'queue') showQueue(data.items);
    };
    ws.onclose = () => {
      status.textContent = '连接中断，正在重连…';
      setTimeout(() => connect(Math.min(delay * 2, 30000)), delay);
    };
  }
  connect(1000);
})();
