// Devices as presence keeps them: state, since, why, last seen; filtered by integration, state and
// an id prefix, a page at a time.
import { get, query, showError, clearErrors, integrations } from './api.js';
import { h, field, table, show, time, integrationSelect } from './dom.js';

export function render(main) {
  const results = h('div', { id: 'device-results' });
  const form = h('form', { id: 'device-filter', novalidate: true });
  main.append(h('h2', {}, 'Devices'), form, results);

  integrations().then((items) => {
    form.append(h('div', { class: 'fields' },
      field('Integration', integrationSelect(items, 'integrationId', true)),
      field('State', h('select', { name: 'state' },
        h('option', { value: '' }, 'any'), h('option', { value: 'online' }, 'online'), h('option', { value: 'offline' }, 'offline'))),
      field('Device id starts with', h('input', { name: 'q', type: 'search' }))),
    h('p', { class: 'form-error', 'aria-live': 'polite' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Show devices')));
    load();
  }).catch((error) => show(results, h('p', { class: 'form-error' }, error.message)));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    load();
  });

  async function load(cursor) {
    clearErrors(form);
    const value = (name) => form.elements.namedItem(name).value;
    try {
      const page = await get(`/api/v1/devices${query({
        integrationId: value('integrationId'), state: value('state'), q: value('q'), limit: 100, cursor })}`);
      const rows = page.items.map((d) => [d.deviceId, h('span', { class: `state-${d.state}` }, d.state), time(d.since),
        d.reason, time(d.lastSeen), d.lastSource || '—', d.node ? `${d.node} (${d.clientId}, ${d.remoteAddress})` : '—']);
      show(results, page.items.length === 0 ? h('p', {}, 'No device matches.')
        : table(`${page.items.length} devices`, ['Device', 'State', 'Since', 'Why', 'Last seen', 'Via', 'Hosted connection'], rows),
      page.next ? h('button', { type: 'button', class: 'secondary', onclick: () => load(page.next) }, 'Next page') : null);
    } catch (error) {
      showError(form, error);
    }
  }
}
