// Integrations: the list, a form to create or edit one (the API's 400 shown at its field), and the
// chosen one's connection test and persistent subscription, whose state is read again every 2 s:
// this node's, and one line per node that runs it (with several nodes, from each node's last round).
import { call, get, showError, clearErrors } from './api.js';
import { h, field, table, show, time } from './dom.js';

export function render(main) {
  const list = h('div', { id: 'integration-list' });
  const detail = h('section', { id: 'integration-detail', 'aria-live': 'polite' });
  const form = integrationForm(saved);
  let poll = null;

  main.append(h('h2', {}, 'Integrations'), list, detail, form.element);

  async function refresh() {
    try {
      const page = await get('/api/v1/integrations?limit=200');
      show(list, page.items.length === 0
        ? h('p', {}, 'No integration yet: create one below.')
        : table('Your integrations', ['Name', 'Broker', 'Enabled', 'Subscription', ''], page.items.map((i) => [
          i.name,
          `${i.settings.protocol}://${i.settings.host}:${i.settings.port}`,
          i.enabled ? 'yes' : 'no',
          i.subscription ? h('span', { class: `state-${i.subscription.state}` }, i.subscription.state) : '—',
          h('button', { type: 'button', class: 'secondary', 'data-open': i.id, onclick: () => open(i.id) }, `Open ${i.name}`),
        ])));
    } catch (error) {
      show(list, h('p', { class: 'form-error' }, error.message));
    }
  }

  async function saved(integration) {
    await refresh();
    await open(integration.id);
  }

  async function open(id) {
    clearInterval(poll);
    const integration = await get(`/api/v1/integrations/${id}`);
    const state = h('p', { id: 'subscription-state' });
    const nodes = h('div', { id: 'subscription-nodes' });
    const result = h('div', { id: 'test-result' });
    const topics = h('input', { name: 'topics', id: 'sub-topics', value: integration.settings.topics.join(', ') });
    const subscribeForm = h('form', { id: 'subscribe-form', novalidate: true },
      field('Topics to subscribe (comma-separated filters)', topics),
      h('p', { class: 'form-error', 'aria-live': 'polite' }),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', id: 'subscribe' }, 'Subscribe'),
        h('button', { type: 'button', class: 'secondary', id: 'unsubscribe', onclick: unsubscribe }, 'Unsubscribe')));
    subscribeForm.addEventListener('submit', subscribe);

    show(detail, h('h3', {}, integration.name),
      h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'run-test', onclick: runTest }, 'Test the connection'),
        h('button', { type: 'button', class: 'secondary', id: 'edit', onclick: () => form.edit(integration) }, 'Edit')),
      result, state, nodes, subscribeForm);
    showState(integration.subscription);
    poll = setInterval(async () => {
      try {
        showState((await get(`/api/v1/integrations/${id}`)).subscription);
      } catch (error) {
        state.textContent = error.message;
      }
    }, 2000);

    function showState(s) {
      show(state, s === null || s === undefined ? 'Subscription: none.' : [
        'Subscription: ', h('strong', { class: `state-${s.state}` }, s.state),
        ` · topics ${s.topics.join(', ')} · QoS ${s.qos} · received ${s.received}, stored ${s.stored}, failed ${s.failed}`,
        s.lastError ? ` · last error: ${s.lastError} (${time(s.lastErrorAt)})` : '']);
      if (s && s.nodes) {
        showNodes(s.nodes);
      } else if (!s) {
        show(nodes);
      } // a subscribe call's answer has no nodes: the next poll brings them
    }

    // A stale node stopped or beats no more: its line is what it last wrote, not a live state.
    function showNodes(list) {
      show(nodes, list.length === 0 ? h('p', { class: 'hint' }, 'No node runs it.')
        : table('The subscription on each node', ['Node', 'State', 'Connected since', 'Received', 'Stored', 'Failed', 'Reconnects',
          'Last error', 'Updated'], list.map((n) => [
          n.node,
          n.stale ? h('span', { class: 'bad', title: 'the node stopped or its heartbeat is late' }, `${n.state} (node not live)`)
            : h('span', { class: `state-${n.state}` }, n.state),
          time(n.connectedSince), String(n.received), String(n.stored), String(n.failed), String(n.reconnects),
          n.lastError ? `${n.lastError} (${time(n.lastErrorAt)})` : '—',
          time(n.updatedAt),
        ])));
    }

    async function runTest() {
      show(result, h('p', {}, 'Testing…'));
      try {
        const test = await call('POST', `/api/v1/integrations/${id}/test`);
        show(result,
          h('p', { class: test.ok ? 'ok' : 'bad', id: 'test-outcome' },
            test.ok ? `Connection works (${test.latencyMs} ms).` : `Connection failed: ${test.error}.`),
          table('Connection test steps', ['Step', 'Result', 'ms', 'Detail'], test.steps.map((s) => [
            s.step, h('span', { class: s.ok ? 'ok' : 'bad' }, s.ok ? 'ok' : 'failed'), String(s.ms), s.detail || '',
          ])));
      } catch (error) {
        show(result, h('p', { class: 'bad', id: 'test-outcome' }, error.message));
      }
    }

    async function subscribe(event) {
      event.preventDefault();
      clearErrors(subscribeForm);
      const list = topics.value.split(',').map((t) => t.trim()).filter((t) => t);
      try {
        const answer = await call('POST', `/api/v1/integrations/${id}/subscribe`, list.length ? { topics: list } : {});
        showState({ ...answer, received: 0, stored: 0, failed: 0 });
      } catch (error) {
        showError(subscribeForm, error);
      }
    }

    async function unsubscribe() {
      clearErrors(subscribeForm);
      try {
        await call('DELETE', `/api/v1/integrations/${id}/subscribe`);
        showState((await get(`/api/v1/integrations/${id}`)).subscription);
      } catch (error) {
        showError(subscribeForm, error);
      }
    }
  }

  refresh();
  return () => clearInterval(poll);
}

/** The create/edit form; its inputs are named as the API's fields so an error lands at its field. */
function integrationForm(onSaved) {
  let editing = null;
  const input = (name, attributes = {}) => h('input', { name, id: `i-${name.replace('settings.', '')}`, ...attributes });
  const protocol = h('select', { name: 'settings.protocol', id: 'i-protocol' },
    ['mqtt', 'mqtts', 'ws', 'wss'].map((p) => h('option', { value: p }, p)));
  const heading = h('h3', {}, 'New integration');
  const submit = h('button', { type: 'submit', id: 'i-save' }, 'Create');
  const element = h('form', { id: 'integration-form', novalidate: true }, heading,
    h('div', { class: 'fields' },
      field('Name', input('name', { required: true, maxlength: 200 })),
      field('Protocol', protocol),
      field('Broker host', input('settings.host', { required: true }), 'A host name or address, no scheme or port.'),
      field('Port', input('settings.port', { inputmode: 'numeric' }), 'Empty: the protocol\'s default.'),
      field('Topics (comma-separated)', input('settings.topics'), 'Filters the subscription uses, e.g. site/+/devices/#'),
      field('Parser', input('settings.parser', { placeholder: 'standard' }), 'standard, senml, raw or a parser file\'s name.'),
      field('Username', input('settings.username', { autocomplete: 'off' })),
      field('Password', input('settings.password', { type: 'password', autocomplete: 'new-password' }), 'Write-only: empty keeps the stored one.'),
      field('Enabled', input('enabled', { type: 'checkbox', checked: true }))),
    h('p', { class: 'form-error', 'aria-live': 'polite' }),
    h('div', { class: 'actions' }, submit,
      h('button', { type: 'button', class: 'secondary', onclick: () => reset() }, 'New')));

  const value = (name) => element.elements.namedItem(name).value.trim();

  function body() {
    const settings = { protocol: value('settings.protocol'), host: value('settings.host') };
    const port = value('settings.port');
    if (port) {
      // Sent as typed: the API, not the page, says what a valid port is.
      settings.port = /^\d+$/.test(port) ? Number(port) : port;
    }
    settings.topics = value('settings.topics').split(',').map((t) => t.trim()).filter((t) => t);
    for (const name of ['parser', 'username', 'password']) {
      if (value(`settings.${name}`)) {
        settings[name] = value(`settings.${name}`);
      }
    }
    return { name: value('name'), enabled: element.elements.namedItem('enabled').checked, settings };
  }

  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(element);
    try {
      const saved = editing
        ? await call('PATCH', `/api/v1/integrations/${editing}`, body())
        : await call('POST', '/api/v1/integrations', body());
      reset();
      await onSaved(saved);
    } catch (error) {
      showError(element, error);
    }
  });

  function reset() {
    editing = null;
    element.reset();
    clearErrors(element);
    heading.textContent = 'New integration';
    submit.textContent = 'Create';
  }

  function edit(integration) {
    reset();
    editing = integration.id;
    heading.textContent = `Edit ${integration.name}`;
    submit.textContent = 'Save';
    const set = (name, v) => { element.elements.namedItem(name).value = v ?? ''; };
    set('name', integration.name);
    set('settings.protocol', integration.settings.protocol);
    set('settings.host', integration.settings.host);
    set('settings.port', integration.settings.port);
    set('settings.topics', (integration.settings.topics || []).join(', '));
    set('settings.parser', integration.settings.parser);
    set('settings.username', integration.settings.username);
    element.elements.namedItem('enabled').checked = integration.enabled;
    element.elements.namedItem('name').focus();
  }

  return { element, edit };
}
