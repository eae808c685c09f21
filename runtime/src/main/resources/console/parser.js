// The parser dry-run: a sample payload and topic through the integration's parser, as the pipeline
// would parse it; nothing is stored.
import { call, showError, clearErrors, integrations } from './api.js';
import { h, field, table, show } from './dom.js';

export function render(main) {
  const form = h('form', { id: 'parser-form', novalidate: true });
  const result = h('div', { id: 'parser-result', 'aria-live': 'polite' });
  main.append(h('h2', {}, 'Parser dry-run'), form, result);

  integrations().then((items) => {
    const select = h('select', { name: 'integrationId', id: 'p-integration' },
      items.map((i) => h('option', { value: i.id }, `${i.name} (parser ${i.settings.parser})`)));
    form.append(
      h('div', { class: 'fields' },
        field('Integration', select),
        field('Topic', h('input', { name: 'topic', id: 'p-topic', value: 'devices/sensor-1/telemetry' })),
        field('Content type', h('input', { name: 'contentType', id: 'p-content-type', placeholder: 'application/json' }))),
      field('Payload', h('textarea', { name: 'payload', id: 'p-payload' }, '{"temperature": 21.5, "humidity": 48}')),
      field('The payload is Base64 (binary)', h('input', { name: 'base64', id: 'p-base64', type: 'checkbox' })),
      h('p', { class: 'form-error', 'aria-live': 'polite' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'p-run' }, 'Parse')));
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const value = (name) => form.elements.namedItem(name).value;
    const body = { topic: value('topic') };
    body[form.elements.namedItem('base64').checked ? 'payloadBase64' : 'payload'] = value('payload');
    if (value('contentType').trim()) {
      body.contentType = value('contentType').trim();
    }
    try {
      const answer = await call('POST', `/api/v1/integrations/${value('integrationId')}/parsers/test`, body);
      show(result,
        h('p', { id: 'parse-status', class: `status-${answer.parseStatus}` },
          `Parser ${answer.parser}: ${answer.parseStatus}`, answer.error ? ` — ${answer.error}` : ''),
        answer.readings.length === 0 ? null : table('Readings', ['Device', 'Time', 'Metric', 'Value', 'Unit'],
          answer.readings.flatMap((r) => Object.entries(r.metrics).map(([name, v]) => [
            r.deviceId || '—', r.ts || '—', name, typeof v === 'object' ? JSON.stringify(v) : String(v),
            (r.units && r.units[name]) || '']))));
    } catch (error) {
      showError(form, error);
    }
  });
}
