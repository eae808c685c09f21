import { signIn, showError, clearErrors } from './api.js';

const form = document.getElementById('signin');
const operator = form.dataset.kind === 'operator';

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  const input = form.elements.namedItem('key');
  const key = input.value.trim();
  if (!key) {
    showError(form, { field: 'key', message: 'Enter a key.' });
    return;
  }
  try {
    const session = await signIn(key);
    input.value = '';
    if (operator !== session.operator) {
      // An organization key on the operator form (or the reverse) signs in all the same; say so.
      sessionStorage.setItem('mqi.notice', operator ? 'This is an organization key, not the operator key.'
        : 'Signed in as the operator.');
    }
    location.assign(session.operator ? 'index.html#route-files' : 'index.html#integrations');
  } catch (error) {
    showError(form, { field: 'key', message: error.status === 401 ? 'This key is not valid (unknown or revoked).' : error.message });
  }
});
