// Small helpers to build the page without a framework; text always goes in as text, never HTML.
import { signIn } from './auth.js';

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function mm(value, digits = 2) {
  return `${Number(value).toFixed(digits)} mm`;
}

/** A busy indicator for long work (building a version, slicing): label and seconds elapsed. */
export function progress(label) {
  const started = performance.now();
  const text = el('span', {}, label);
  const node = el('div', { class: 'progress', role: 'status', 'data-testid': 'progress' },
    el('span', { class: 'spinner' }), text);
  const timer = setInterval(() => {
    text.textContent = `${label} ${Math.round((performance.now() - started) / 1000)} s`;
  }, 1000);
  return { node, done: () => { clearInterval(timer); node.remove(); } };
}

/** An error for the user; when the session has ended, with the way to sign in again. */
export function errorBox(error) {
  const box = el('p', { class: 'error', role: 'alert' }, String(error.message || error));
  if (error.code === 'viewer:signed-out') {
    box.append(' ', el('button', { onclick: () => signIn(), 'data-testid': 'sign-in' }, 'Sign in'));
  }
  return box;
}
