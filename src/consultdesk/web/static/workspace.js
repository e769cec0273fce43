// The agent's workspace on the home page: presence (PREP-5), work in hand, the shift's
// figures, bulletins to acknowledge (PREP-2), the script library (SOL-1).
(function () {
  const root = document.getElementById('desk');
  if (!root) return;
  const T = JSON.parse(document.getElementById('desk-text').textContent);
  const D = T.desk;
  const en = T.lang === 'en';
  const errorEl = document.getElementById('desk-error');
  const fmt = (s, vals) => s.replace(/\{(\w+)\}/g, (_, k) => (k in vals ? vals[k] : ''));

  function showError(m) { errorEl.textContent = m || ''; errorEl.hidden = !m; }

  async function api(method, path, body) {
    const init = { method: method, headers: {} };
    if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
    const r = await fetch(path, init);
    const data = await r.json().catch(() => null);
    if (!r.ok) throw new Error(data && data.error ? data.error.message : String(r.status));
    return data;
  }

  function item(children) {
    const li = document.createElement('li');
    children.forEach(c => li.append(c));
    return li;
  }

  function show(desk) {
    root.querySelectorAll('input[name="presence"]').forEach(i => { i.checked = i.value === desk.presence; });
    document.getElementById('desk-load').textContent = fmt(D.load, { chats: desk.chats, max: desk.max_chats });
    const f = desk.figures;
    document.getElementById('fig-handled').textContent = String(f.handled);
    document.getElementById('fig-first').textContent = f.first_response_median_s == null ? '–' : f.first_response_median_s + (en ? ' s' : ' 秒');
    document.getElementById('fig-within-label').textContent = fmt(D.within, { s: f.first_response_within_s });
    document.getElementById('fig-within').textContent = f.first_response_within_share == null ? '–' : Math.round(f.first_response_within_share * 100) + '%';
    document.getElementById('fig-satisfaction').textContent = f.satisfaction == null ? '–' : f.satisfaction + '（' + fmt(D.ratings, { n: f.ratings }) + '）';

    const mine = document.getElementById('desk-mine');
    mine.replaceChildren();
    if (!desk.consultations.length) mine.append(item([D.none]));
    desk.consultations.forEach(c => {
      const a = document.createElement('a');
      a.href = '/console/queue?open=' + encodeURIComponent(c.id);
      a.textContent = D.open;
      const label = (T.channel[c.channel] || c.channel) + ' · ' + (D['status.' + c.status] || c.status) + ' · ' + (c.subject || c.id) + ' ';
      const li = item([label, a]);
      li.dataset.id = c.id;
      mine.append(li);
    });

    const bulletins = document.getElementById('desk-bulletins');
    bulletins.replaceChildren();
    if (!desk.bulletins.length) bulletins.append(item([D.no_bulletins]));
    desk.bulletins.forEach(b => {
      const title = document.createElement('strong');
      title.textContent = b.title;
      const body = document.createElement('p');
      body.className = 'script-text';
      body.textContent = b.body;
      const ack = document.createElement('button');
      ack.type = 'button'; ack.className = 'small ack-bulletin'; ack.dataset.id = b.id; ack.textContent = D.ack;
      ack.setAttribute('aria-label', D.ack + '：' + b.title);
      bulletins.append(item([title, body, ack]));
    });
  }

  async function refresh() {
    try { show(await api('GET', '/api/v1/workspace/me')); } catch (err) { showError(err.message); }
  }

  async function setPresence(value) {
    try {
      await api('PUT', '/api/v1/routing/presence', { status: value });
      showError('');
      await refresh();
    } catch (err) { showError(err.message); }
  }

  root.addEventListener('change', (e) => {
    if (e.target.name === 'presence') setPresence(e.target.value);
  });
  root.addEventListener('click', async (e) => {
    const ack = e.target.closest('button.ack-bulletin');
    if (ack) {
      try { await api('POST', '/api/v1/workspace/bulletins/' + encodeURIComponent(ack.dataset.id) + '/ack'); await refresh(); } catch (err) { showError(err.message); }
      return;
    }
    const copy = e.target.closest('button.copy-script');
    if (copy) {
      try { await navigator.clipboard.writeText(copy.dataset.text); } catch (err) { /* clipboard may be denied */ }
      copy.textContent = D.copied;
    }
  });

  const form = document.getElementById('script-search');
  const list = document.getElementById('script-list');
  let ticket = 0;
  async function searchScripts() {
    const mine = ++ticket;
    const params = new URLSearchParams({ q: form.elements.namedItem('q').value });
    const line = form.elements.namedItem('business_line').value;
    if (line) params.set('business_line', line);
    let found;
    try { found = await api('GET', '/api/v1/workspace/scripts?' + params.toString()); } catch (err) { showError(err.message); return; }
    if (mine !== ticket) return;
    list.replaceChildren();
    found.forEach(s => {
      const title = document.createElement('strong');
      title.textContent = en ? s.title_en : s.title;
      const text = document.createElement('p');
      text.className = 'script-text';
      text.textContent = en ? s.text_en : s.text;
      const copy = document.createElement('button');
      copy.type = 'button'; copy.className = 'small copy-script'; copy.dataset.text = s.text; copy.textContent = D.copy;
      copy.setAttribute('aria-label', D.copy + '：' + title.textContent);
      const li = item([title, text, copy]);
      li.dataset.code = s.code;
      list.append(li);
    });
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); searchScripts(); });
  form.addEventListener('input', () => searchScripts());

  document.addEventListener('keydown', (e) => {
    if (e.altKey && ['1', '2', '3', '4'].includes(e.key)) {
      e.preventDefault();
      const value = ['available', 'busy', 'away', 'offline'][Number(e.key) - 1];
      root.querySelector('input[value="' + value + '"]').checked = true;
      setPresence(value);
    } else if (e.key === '/' && !['INPUT', 'TEXTAREA', 'SELECT'].includes(document.activeElement.tagName)) {
      e.preventDefault();
      form.elements.namedItem('q').focus();
    }
  });

  refresh();
  searchScripts();
  setInterval(refresh, 10000);
})();
