// A device's metric over a range, from /api/v1/telemetry/aggregate, drawn with uPlot (drag across
// the chart to zoom in, double-click to zoom out). The plot is also window.mqiChart, so that a test
// (or a curious user's devtools) can read the points it drew.
import { get, query, showError, clearErrors, integrations } from './api.js';
import { h, field, show, integrationSelect } from './dom.js';

const RANGES = { '1h': 3600e3, '24h': 86400e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3 };

export function render(main) {
  const form = h('form', { id: 'chart-form', novalidate: true });
  const chart = h('div', { id: 'chart', class: 'chart', role: 'img', 'aria-label': 'No chart yet' });
  const summary = h('p', { id: 'chart-summary', role: 'status' });
  let plot = null;
  main.append(h('h2', {}, 'Telemetry chart'), form, summary, chart);

  integrations().then((items) => {
    const local = (date) => new Date(date.getTime() - date.getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
    const now = new Date();
    form.append(h('div', { class: 'fields' },
      field('Integration', integrationSelect(items, 'integrationId', true)),
      field('Device id', h('input', { name: 'deviceId', id: 'c-device' })),
      field('Metric', h('input', { name: 'metric', id: 'c-metric', required: true })),
      field('Range', h('select', { name: 'range', id: 'c-range', onchange: pick },
        h('option', { value: '1h' }, 'last hour'), h('option', { value: '24h', selected: true }, 'last 24 hours'),
        h('option', { value: '7d' }, 'last 7 days'), h('option', { value: '30d' }, 'last 30 days'),
        h('option', { value: 'custom' }, 'from … to …'))),
      field('From', h('input', { name: 'from', id: 'c-from', type: 'datetime-local', value: local(new Date(now - RANGES['24h'])) })),
      field('To', h('input', { name: 'to', id: 'c-to', type: 'datetime-local', value: local(now) })),
      field('Bucket', h('select', { name: 'bucket', id: 'c-bucket' },
        ['1m', '5m', '1h', '1d'].map((b) => h('option', { value: b, selected: b === '5m' }, b)))),
      field('Function', h('select', { name: 'fn', id: 'c-fn' }, ['avg', 'min', 'max', 'count'].map((f) => h('option', { value: f }, f))))),
    h('p', { class: 'form-error', 'aria-live': 'polite' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'c-draw' }, 'Draw')));

    function pick() {
      const range = RANGES[form.elements.namedItem('range').value];
      if (range) {
        const end = new Date();
        form.elements.namedItem('from').value = local(new Date(end - range));
        form.elements.namedItem('to').value = local(end);
      }
    }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const value = (name) => form.elements.namedItem(name).value.trim();
    if (!value('metric')) {
      showError(form, { field: 'metric', message: 'Name the metric to draw.' });
      return;
    }
    const range = RANGES[value('range')];
    // A preset range ends now (the moment of drawing), a custom one where the user put it.
    const to = range ? new Date() : new Date(value('to'));
    const from = range ? new Date(to - range) : new Date(value('from'));
    try {
      const answer = await get(`/api/v1/telemetry/aggregate${query({
        integrationId: value('integrationId'), deviceId: value('deviceId'), metric: value('metric'),
        from: from.toISOString(), to: to.toISOString(), bucket: value('bucket'), fn: value('fn') })}`);
      draw(answer, from, to);
    } catch (error) {
      showError(form, error);
    }
  });

  function draw(answer, from, to) {
    const xs = answer.items.map((b) => Date.parse(b.start) / 1000);
    const ys = answer.items.map((b) => b.value);
    summary.textContent = `${answer.items.length} ${answer.bucket} buckets of ${answer.fn}(${answer.metric})`
      + (answer.items.length ? `, from ${Math.min(...ys)} to ${Math.max(...ys)}.` : ': no reading in this range.');
    chart.setAttribute('aria-label', summary.textContent);
    if (plot) {
      plot.destroy();
    }
    chart.replaceChildren();
    plot = new window.uPlot({
      // The frame is hidden while empty, so its own width is 0 before the first drawing: take the page's.
      width: Math.max(280, main.clientWidth - 48),
      height: 320,
      scales: { x: { time: true, min: from / 1000, max: to / 1000 } },
      series: [{}, { label: `${answer.fn}(${answer.metric})`, stroke: '#1f5fbf', width: 2, points: { show: true } }],
    }, [xs, ys], chart);
    window.mqiChart = plot;
  }

  return () => {
    if (plot) {
      plot.destroy();
      window.mqiChart = null;
    }
  };
}
