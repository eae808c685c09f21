// The live view: an EventSource on the integration's /live stream (the session cookie goes with it),
// newest message first, at most 200 rows; pausing closes the stream, resuming opens a new one.
import { integrations } from './api.js';
import { h, field, show, time, metrics, integrationSelect } from './dom.js';

const MAX_ROWS = 200;

export function render(main) {
  let source = null;
  const status = h('p', { id: 'live-status', role: 'status' }, 'Not connected.');
  const rows = h('tbody', { id: 'live-rows' });
  const pause = h('button', { type: 'button', id: 'live-pause', onclick: toggle }, 'Pause');
  const picker = h('div', { class: 'fields' });
  main.append(h('h2', {}, 'Live messages'),
    h('section', { class: 'panel' }, picker, h('div', { class: 'actions' }, pause), status),
    h('div', { class: 'table-wrap' }, h('table', {},
      h('caption', {}, 'Messages as they are stored, newest first'),
      h('thead', {}, h('tr', {}, ['Received', 'Topic', 'Device', 'Parse', 'Readings / error'].map((n) => h('th', { scope: 'col' }, n)))),
      rows)));

  integrations().then((items) => {
    if (items.length === 0) {
      show(picker, h('p', {}, 'No integration yet.'));
      return;
    }
    const select = integrationSelect(items);
    select.id = 'live-integration';
    select.addEventListener('change', () => { rows.replaceChildren(); open(); });
    show(picker, field('Integration', select));
    open();
  });

  function open() {
    close();
    const id = document.getElementById('live-integration').value;
    source = new EventSource(`/api/v1/integrations/${id}/live`);
    pause.textContent = 'Pause';
    status.textContent = 'Connecting…';
    // The server sends the stream's head and a first comment at once: open means it listens.
    source.addEventListener('open', () => { status.textContent = 'Listening: new messages appear below.'; });
    source.addEventListener('error', () => { status.textContent = 'Connection lost: reconnecting…'; });
    source.addEventListener('message', (event) => add(JSON.parse(event.data)));
    source.addEventListener('dropped', (event) => {
      status.textContent = `${JSON.parse(event.data).dropped} messages not shown (more than the stream's rate).`;
    });
  }

  function add(m) {
    const detail = m.parseStatus === 'failed' ? m.parseError : metrics(m.readings);
    rows.prepend(h('tr', { 'data-message-id': m.messageId },
      h('td', {}, time(m.receivedAt)), h('td', {}, m.topic || '—'), h('td', {}, m.deviceId || '—'),
      h('td', { class: `status-${m.parseStatus}` }, m.parseStatus), h('td', {}, detail || '')));
    while (rows.children.length > MAX_ROWS) {
      rows.lastElementChild.remove();
    }
  }

  function toggle() {
    if (source) {
      close();
      pause.textContent = 'Resume';
      status.textContent = 'Paused: messages stored meanwhile are not shown.';
    } else {
      open();
    }
  }

  function close() {
    if (source) {
      source.close();
      source = null;
    }
  }

  return close;
}
