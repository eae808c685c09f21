// The shell: checks the session (else to the sign-in page), shows the nav the session may use, and
// renders the page the URL's hash names. Each page is a module with render(main, session) that may
// answer a function to call when the user leaves it (to close a stream or stop polling).
import { currentSession, signOut } from './api.js';
import { h } from './dom.js';

const pages = {
  integrations: () => import('./integrations.js'),
  devices: () => import('./devices.js'),
  live: () => import('./live.js'),
  chart: () => import('./chart.js'),
  parser: () => import('./parser.js'),
  sinks: () => import('./sinks.js'),
  'dead-letters': () => import('./deadletters.js'),
  'route-files': () => import('./routefiles.js'),
};
const operatorPages = new Set(['route-files']);

const main = document.getElementById('main');
let leave = null;
let session = null;

async function route() {
  if (leave) {
    leave();
    leave = null;
  }
  const start = session.operator ? 'route-files' : 'integrations';
  let name = location.hash.slice(1).split('?')[0] || start;
  if (!pages[name] || operatorPages.has(name) !== session.operator) {
    name = start;
  }
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.getAttribute('href') === `#${name}`) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
  main.replaceChildren();
  const module = await pages[name]();
  leave = module.render(main, session) || null;
  document.title = `${main.querySelector('h2')?.textContent || name} · mqtt-integration console`;
}

async function start() {
  session = await currentSession();
  if (!session) {
    location.replace('signin.html');
    return;
  }
  for (const link of document.querySelectorAll('#nav a')) {
    link.hidden = (link.dataset.scope === 'operator') !== session.operator;
  }
  document.getElementById('who').textContent = session.operator
    ? 'operator'
    : `organization ${session.organizationId} · ${session.scopes.join(', ')}`;
  document.getElementById('sign-out').addEventListener('click', async () => {
    if (leave) {
      leave();
      leave = null;
    }
    await signOut().catch(() => {});
    location.replace(session.operator ? 'operator.html' : 'signin.html');
  });
  const notice = sessionStorage.getItem('mqi.notice');
  if (notice) {
    sessionStorage.removeItem('mqi.notice');
    document.querySelector('header').after(h('p', { class: 'notice', role: 'status' }, notice));
  }
  window.addEventListener('hashchange', () => route().then(() => main.focus()));
  await route();
}

start();
