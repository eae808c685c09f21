// The operator's view of the route files: what each one deployed, when, and its last reload error.
import { get } from './api.js';
import { h, table, show, time } from './dom.js';

export function render(main) {
  const list = h('div', { id: 'route-file-list' });
  main.append(h('h2', {}, 'Route files'),
    h('p', { class: 'hint' }, 'The files of the routes folder; a file that fails to load keeps its previous routes running.'),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: load }, 'Reload the list')), list);

  async function load() {
    try {
      const items = (await get('/api/v1/route-files')).items;
      show(list, table(`${items.length} route files`, ['File', 'Routes', 'Loaded', 'Last error'], items.map((f) => [
        f.file, f.routeIds.join(', '), time(f.loadedAt),
        f.lastError ? h('span', { class: 'bad' }, f.lastError) : 'none'])));
    } catch (error) {
      show(list, h('p', { class: 'form-error' }, error.message));
    }
  }

  load();
}
