/**
 * The page's script, served as `/dashboard/app.js` (never inline: the Content-Security-Policy allows scripts from
 * the gateway's own origin only). It follows the event stream, renders with DOM calls and `textContent` only (no
 * HTML built from data), draws the charts as hand-written SVG, and sends actions as POSTs carrying the session's
 * CSRF token in a header.
 */
export const DASHBOARD_SCRIPT = String.raw`'use strict';
(function () {
  var base = document.body.getAttribute('data-base');
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute('content');
  var SVG = 'http://www.w3.org/2000/svg';
  var state = { backends: [], sessions: [], calls: [], stats: [], pins: [], bucketMs: 10000 };
  var receivedAt = Date.now();

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }
  function text(value) { return value === null || value === undefined ? '' : String(value); }
  function duration(ms) {
    if (ms === null || ms === undefined) return '';
    var s = Math.floor(ms / 1000);
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }
  function millis(ms) { return ms < 10 ? ms.toFixed(1) + ' ms' : Math.round(ms) + ' ms'; }
  function time(at) { return new Date(at).toLocaleTimeString(); }
  function replace(id, rows, empty) {
    var body = $(id);
    while (body.firstChild) body.removeChild(body.firstChild);
    if (rows.length === 0) body.appendChild(el('tr', { class: 'empty' }, [el('td', { colspan: '9' }, [empty])]));
    rows.forEach(function (row) { body.appendChild(row); });
  }
  function button(label, action, payload, disabled) {
    var node = el('button', { type: 'button', 'data-action': action }, [label]);
    if (disabled) node.disabled = true;
    node.addEventListener('click', function () { act(action, payload, node); });
    return node;
  }

  // Only a web address: the URL comes from the backend's authorization server.
  function authorizeLink(url) {
    if (!/^https?:\/\//.test(url || '')) return '';
    return el('div', {}, [el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, ['Authorize'])]);
  }
  // Counts only: who the principals are is nobody else's business.
  function principalsLine(p) {
    if (!p) return '';
    return el('div', { class: 'muted principals' }, [
      'per principal: ' + p.connected + ' connected, ' + p.needsAuthorization + ' to authorize',
    ]);
  }
  function renderBackends() {
    replace('backends', state.backends.map(function (b) {
      var uptime = b.uptimeMs === null ? '' : duration(b.uptimeMs + (Date.now() - receivedAt));
      var disabled = b.state === 'disabled';
      return el('tr', { 'data-server': b.name }, [
        el('td', { class: 'name' }, [
          el('strong', {}, [b.name]), el('div', { class: 'muted' }, [b.program]), principalsLine(b.principals),
        ]),
        el('td', {}, [el('span', { class: 'state state-' + b.state }, [b.state])]),
        el('td', { class: 'pid' }, [text(b.pid)]),
        el('td', { class: 'uptime' }, [uptime]),
        el('td', { class: 'restarts' }, [text(b.restarts)]),
        el('td', { class: 'calls' }, [b.calls + ' / ' + b.errors]),
        el('td', { class: 'tools' }, [b.tools.join(', ')]),
        el('td', { class: 'error' }, [text(b.lastError), authorizeLink(b.authorizationUrl)]),
        el('td', { class: 'actions' }, [
          button('Restart', 'restart', { server: b.name }, disabled),
          disabled
            ? button('Enable', 'enable', { server: b.name })
            : button('Disable', 'disable', { server: b.name }),
        ]),
      ]);
    }), 'No backend registered.');
  }
  function renderSessions() {
    replace('sessions', state.sessions.map(function (s) {
      var client = s.client ? s.client.name + ' ' + s.client.version : '(not declared yet)';
      return el('tr', {}, [
        el('td', {}, [client]), el('td', {}, [s.principal]), el('td', {}, [text(s.frontDoor)]),
        el('td', {}, [time(s.openedAt)]),
      ]);
    }), 'No client connected.');
  }
  function renderCalls() {
    replace('calls', state.calls.slice().reverse().map(function (c) {
      return el('tr', {}, [
        el('td', {}, [time(c.at)]), el('td', {}, [text(c.server)]), el('td', {}, [text(c.tool || c.method)]),
        el('td', {}, [el('span', { class: 'outcome outcome-' + c.outcome }, [c.outcome])]),
        el('td', { class: 'num' }, [millis(c.durationMs)]), el('td', {}, [c.principal]),
      ]);
    }), 'No call since this page opened.');
  }
  function renderPins() {
    replace('pins', state.pins.map(function (p) {
      return el('tr', { 'data-pin': p.server + '/' + p.kind + '/' + p.name }, [
        el('td', {}, [p.server]), el('td', {}, [p.kind + ' ' + p.name]), el('td', {}, [p.changedFields.join(', ')]),
        el('td', {}, [p.mode + (p.withheld ? ' (withheld)' : '')]), el('td', {}, [time(p.firstSeen)]),
        el('td', {}, [button('Approve', 'approve', { server: p.server, kind: p.kind, name: p.name })]),
      ]);
    }), 'No definition waiting for approval.');
  }
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
    return node;
  }
  function renderStats() {
    var holder = $('charts');
    while (holder.firstChild) holder.removeChild(holder.firstChild);
    if (state.stats.length === 0) {
      holder.appendChild(el('p', { class: 'muted' }, ['No call in the last minutes.']));
      return;
    }
    state.stats.forEach(function (series) {
      var W = 300, H = 70, n = series.buckets.length, step = W / n;
      var maxCalls = Math.max.apply(null, series.buckets.map(function (b) { return b.calls; }).concat([1]));
      var maxMs = Math.max.apply(null, series.buckets.map(function (b) { return b.meanMs; }).concat([1]));
      var chart = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, class: 'chart' });
      var points = [];
      var total = 0, failures = 0, weighted = 0;
      series.buckets.forEach(function (b, i) {
        total += b.calls; failures += b.failures; weighted += b.meanMs * b.calls;
        var h = (b.calls / maxCalls) * (H - 4);
        if (b.calls > 0) chart.appendChild(svg('rect', { x: i * step + 1, y: H - h, width: step - 2, height: h, class: b.failures > 0 ? 'bar bar-failed' : 'bar' }));
        if (b.calls > 0) points.push((i * step + step / 2).toFixed(1) + ',' + (H - 2 - (b.meanMs / maxMs) * (H - 6)).toFixed(1));
      });
      if (points.length > 1) chart.appendChild(svg('polyline', { points: points.join(' '), class: 'latency' }));
      var minutes = (n * state.bucketMs) / 60000;
      var summary = (total / minutes).toFixed(1) + ' calls/min, ' + failures + ' failed, mean ' +
        (total > 0 ? millis(weighted / total) : '-') + ' (max bucket ' + millis(maxMs) + ')';
      holder.appendChild(el('figure', { 'data-server': series.server }, [
        el('figcaption', {}, [el('strong', {}, [series.server]), ' ' + summary]), chart,
      ]));
    });
  }
  function renderAll() { renderBackends(); renderSessions(); renderCalls(); renderStats(); renderPins(); }

  function say(message, failed) {
    var line = $('status');
    line.textContent = message;
    line.className = failed ? 'failed' : '';
  }
  function act(action, payload, node) {
    node.disabled = true;
    say(action + ' ' + payload.server + '...', false);
    fetch(base + '/actions/' + action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(payload),
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.error || response.statusText);
        say(action + ' ' + payload.server + ': done', false);
      });
    }).catch(function (error) {
      say(action + ' ' + payload.server + ' failed: ' + error.message, true);
    }).then(function () { node.disabled = false; });
  }

  var source = new EventSource(base + '/events');
  function on(name, apply) {
    source.addEventListener(name, function (event) {
      apply(JSON.parse(event.data));
      $('live').textContent = 'live';
      $('live').className = 'live';
    });
  }
  on('snapshot', function (data) { state = data; receivedAt = Date.now(); renderAll(); });
  on('backends', function (data) { state.backends = data; receivedAt = Date.now(); renderBackends(); });
  on('sessions', function (data) { state.sessions = data; renderSessions(); });
  on('call', function (data) { state.calls.push(data); if (state.calls.length > 50) state.calls.shift(); renderCalls(); });
  on('stats', function (data) { state.stats = data; renderStats(); });
  on('pins', function (data) { state.pins = data; renderPins(); });
  source.addEventListener('error', function () {
    $('live').textContent = 'reconnecting';
    $('live').className = 'offline';
  });
  function tickUptimes() {
    state.backends.forEach(function (b) {
      var cell = document.querySelector('#backends tr[data-server="' + CSS.escape(b.name) + '"] .uptime');
      if (cell && b.uptimeMs !== null) cell.textContent = duration(b.uptimeMs + (Date.now() - receivedAt));
    });
  }
  setInterval(tickUptimes, 1000);
})();
`;
