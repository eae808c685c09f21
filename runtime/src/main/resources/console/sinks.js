// An integration's sinks with their backlog, and each sink's dead letters, replayable one by one or
// all at once.
import { call, get, integrations } from './api.js';
import { h, field, table, show, time, integrationSelect } from './dom.js';

export function render(main) {
  const picker = h('div', { class: 'fields' });
  const list = h('div', { id: 'sink-list', 'aria-live': 'polite' });
  const letters = h('section', { id: 'sink-dead-letters', 'aria-live': 'polite' });
  main.append(h('h2', {}, 'Sinks'), h('section', { class: 'panel' }, picker), list, letters);

  integrations().then((items) => {
    if (items.length === 0) {
      show(picker, h('p', {}, 'No integration yet.'));
      return;
    }
    const select = integrationSelect(items);
    select.addEventListener('change', () => load(select.value));
    show(picker, field('Integration', select));
    load(select.value);
  });

  async function load(integrationId) {
    letters.replaceChildren();
    try {
      const sinks = (await get(`/api/v1/integrations/${integrationId}/sinks`)).items;
      // The list has no backlog: each sink's own answer carries it.
      const detailed = await Promise.all(sinks.map((s) => get(`/api/v1/integrations/${integrationId}/sinks/${s.id}`)));
      show(list, detailed.length === 0 ? h('p', {}, 'This integration has no sink.')
        : table('Sinks', ['Name', 'Kind', 'Topics', 'State', 'Backlog', 'Oldest waiting', 'Retrying', ''], detailed.map((s) => [
          s.name, s.kind, s.topicFilter + (s.deviceId ? ` (device ${s.deviceId})` : ''), s.paused ? 'paused' : 'running',
          String(s.backlog.messages), time(s.backlog.oldestReceivedAt), String(s.backlog.retrying),
          h('button', { type: 'button', class: 'secondary', onclick: () => deadLetters(integrationId, s) }, `Dead letters of ${s.name}`),
        ])));
    } catch (error) {
      show(list, h('p', { class: 'form-error' }, error.message));
    }
  }

  async function deadLetters(integrationId, sink) {
    const base = `/api/v1/integrations/${integrationId}/sinks/${sink.id}/dead-letters`;
    const message = h('p', { role: 'status' });
    const replay = async (ids) => {
      try {
        const answer = await call('POST', `${base}/replay`, ids ? { ids } : {});
        await deadLetters(integrationId, sink);
        letters.querySelector('[role="status"]').textContent = `${answer.replayed} replayed.`;
      } catch (error) {
        message.textContent = error.message;
      }
    };
    try {
      const items = (await get(`${base}?limit=100`)).items;
      show(letters, h('h3', {}, `Dead letters of ${sink.name}`), message,
        items.length === 0 ? h('p', {}, 'None.') : [
          h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => replay(null) }, 'Replay all not yet replayed')),
          table(`${items.length} dead letters, newest first`, ['Failed', 'Device', 'What', 'Attempts', 'Reason', 'Replayed', ''],
            items.map((d) => [time(d.failedAt), d.deviceId || '—', d.event ? `presence ${d.event.state}` : `message ${d.messageId}`,
              String(d.attempts), d.reason, time(d.replayedAt),
              h('button', { type: 'button', class: 'secondary', onclick: () => replay([d.id]) }, 'Replay')])),
        ]);
    } catch (error) {
      show(letters, h('p', { class: 'form-error' }, error.message));
    }
  }
}
