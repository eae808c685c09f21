// Ingestion's dead letters (what could not be stored), newest first, each replayable.
import { call, get, query, integrations } from './api.js';
import { h, field, table, show, time, integrationSelect } from './dom.js';

export function render(main) {
  const picker = h('div', { class: 'fields' });
  const list = h('div', { id: 'dead-letter-list', 'aria-live': 'polite' });
  const status = h('p', { role: 'status' });
  main.append(h('h2', {}, 'Ingestion dead letters'), h('section', { class: 'panel' }, picker), status, list);

  integrations().then((items) => {
    const select = integrationSelect(items, 'integrationId', true);
    select.addEventListener('change', () => load());
    show(picker, field('Integration', select));
    load();
  });

  async function load(cursor) {
    const integrationId = picker.querySelector('select').value;
    try {
      const page = await get(`/api/v1/dead-letters${query({ integrationId, limit: 100, cursor })}`);
      show(list, page.items.length === 0 ? h('p', {}, 'No dead letter.') : [
        table(`${page.items.length} dead letters`, ['Failed', 'Source', 'Topic', 'Reason', 'Replayed', ''], page.items.map((d) => [
          time(d.createdAt), d.source || '—', d.topic || '—', d.reason || '—', time(d.replayedAt),
          h('button', { type: 'button', class: 'secondary', onclick: () => replay(d.id) }, 'Replay'),
        ])),
        page.next ? h('button', { type: 'button', class: 'secondary', onclick: () => load(page.next) }, 'Next page') : null,
      ]);
    } catch (error) {
      show(list, h('p', { class: 'form-error' }, error.message));
    }
  }

  async function replay(id) {
    try {
      const answer = await call('POST', `/api/v1/dead-letters/${id}/replay`);
      status.textContent = `Replay: ${answer.status}${answer.detail ? ` (${answer.detail})` : ''}.`;
      await load();
    } catch (error) {
      status.textContent = error.message;
    }
  }
}
