// The agent's identity check panel (ACC-6, RSK-4). Every answer is shown with
// textContent, never as HTML; the code itself is never shown (it goes to the customer's phone).
(function () {
  const panel = document.getElementById('identity');
  if (!panel) return;
  const base = '/api/v1/consultations/' + encodeURIComponent(panel.dataset.consultation);
  const message = document.getElementById('identity-message');
  const level = document.getElementById('identity-level');
  const checks = document.getElementById('identity-checks');
  const accounts = document.getElementById('accounts');
  const source = document.getElementById('fact-source');
  let challenge = null;

  function say(text, bad) { message.textContent = text || ''; message.className = bad ? 'error' : 'notice'; }

  async function call(method, path, body) {
    const init = { method: method, headers: { 'Accept': 'application/json' } };
    if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
    const r = await fetch(base + path, init);
    const data = await r.json().catch(function () { return {}; });
    if (!r.ok) { throw new Error((data.error && data.error.message) || ('HTTP ' + r.status)); }
    return data;
  }

  function show(verification) {
    level.textContent = verification.level === 'verified' ? '已核验' : '未核验';
    checks.replaceChildren();
    verification.checks.forEach(function (c) {
      const li = document.createElement('li');
      li.textContent = c.at.slice(11, 19) + ' ' + c.method + ' → ' + c.outcome + (c.operation ? '（' + c.operation + '）' : '');
      checks.appendChild(li);
    });
  }

  document.getElementById('last-four-form').addEventListener('submit', async function (e) {
    e.preventDefault();
    try {
      const r = await call('POST', '/identity/last-four', { last_four: e.target.elements.namedItem('last_four').value.trim() });
      say(r.message, r.outcome !== 'passed'); show(r.verification);
    } catch (err) { say(err.message, true); }
  });

  document.getElementById('send-code').addEventListener('click', async function () {
    try {
      const r = await call('POST', '/identity/otp');
      challenge = r.challenge_id;
      say('验证码已发送至 ' + r.masked_phone + '，请客户读出');
    } catch (err) { say(err.message, true); }
  });

  document.getElementById('code-form').addEventListener('submit', async function (e) {
    e.preventDefault();
    if (!challenge) { say('请先发送验证码', true); return; }
    try {
      const r = await call('POST', '/identity/otp/verify', { challenge_id: challenge, code: e.target.elements.namedItem('code').value.trim() });
      say(r.message, r.outcome !== 'passed'); show(r.verification);
      e.target.reset();
    } catch (err) { say(err.message, true); }
  });

  function cell(row, text) { const td = document.createElement('td'); td.textContent = text; row.appendChild(td); return td; }

  document.getElementById('load-accounts').addEventListener('click', async function () {
    try {
      const r = await call('GET', '/core/accounts');
      accounts.replaceChildren();
      source.textContent = r.source.note;
      r.data.forEach(function (a) {
        const tr = document.createElement('tr');
        cell(tr, a.account_id); cell(tr, a.kind); cell(tr, a.number_masked); cell(tr, a.status);
        const td = cell(tr, '');
        const b = document.createElement('button'); b.type = 'button'; b.textContent = '余额';
        b.addEventListener('click', async function () {
          try {
            const f = await call('GET', '/core/accounts/' + encodeURIComponent(a.account_id) + '/balance');
            td.textContent = f.data.amount + ' ' + f.data.currency; source.textContent = f.source.note;
          } catch (err) { say(err.message, true); }
        });
        td.appendChild(b);
        accounts.appendChild(tr);
      });
    } catch (err) { say(err.message, true); }
  });

  document.getElementById('high-risk-form').addEventListener('submit', async function (e) {
    e.preventDefault();
    const f = e.target.elements;
    const body = { operation: f.namedItem('operation').value };
    const account = f.namedItem('account_id').value.trim();
    if (account) body.account_id = account;
    try {
      await call('POST', '/high-risk-checks', body);
      say('二次核验有效，可以办理');
    } catch (err) { say(err.message, true); }
  });
})();
