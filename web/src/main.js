// The viewer's shell: sign-in, the signed-in user, and the pages by URL fragment.
import './style.css';
import { restore, signIn, signOut, identity } from './auth.js';
import { gql } from './api.js';
import { el, errorBox } from './dom.js';
import { twinPage } from './twin.js';
import { lineagePage } from './lineage.js';
import { printPage } from './print.js';

const app = document.getElementById('app');
const who = document.getElementById('who');
let cleanups = [];

const TWINS = `{ twins(first: 50) { nodes { id versionCount createdAt patient { pseudonym name patientId } } } }`;

async function twinsPage(root) {
  const twins = (await gql(TWINS)).twins.nodes;
  root.replaceChildren(
    el('h1', {}, 'Twins'),
    twins.length
      ? el('table', { class: 'numbers' },
        el('tr', {}, el('th', {}, 'patient'), el('th', {}, 'versions'), el('th', {}, 'created')),
        ...twins.map((t) => el('tr', {},
          el('td', {}, el('a', { href: `#/twin/${encodeURIComponent(t.id)}`, 'data-testid': 'twin-link' },
            t.patient?.name ? `${t.patient.name} (${t.patient.patientId})` : t.patient?.pseudonym || t.id)),
          el('td', {}, String(t.versionCount)),
          el('td', {}, t.createdAt))))
      : el('p', { class: 'muted' }, 'No twin yet: send a CT (storescu) or import a folder.'),
  );
}

async function route() {
  for (const cleanup of cleanups) {
    try { cleanup(); } catch { /* already ended */ }
  }
  cleanups = [];
  const [path, search] = (location.hash.slice(1) || '/').split('?');
  const query = new URLSearchParams(search || '');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  app.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  try {
    if (parts[0] === 'twin' && parts[1]) await twinPage(app, parts[1], cleanups);
    else if (parts[0] === 'lineage' && parts[1]) await lineagePage(app, parts[1], query);
    else if (parts[0] === 'print') await printPage(app, query, cleanups);
    else await twinsPage(app);
    app.dataset.ready = location.hash;
  } catch (error) {
    app.replaceChildren(errorBox(error));
  }
}

async function start() {
  let user;
  try {
    user = await restore();
  } catch (error) {
    app.replaceChildren(errorBox(error));
  }
  if (!user) {
    who.replaceChildren();
    app.replaceChildren(
      el('h1', {}, 'Anatwin'),
      el('p', {}, 'Patient anatomy as versioned digital twins: meshes, versions, lineage, printing.'),
      el('button', { onclick: () => signIn(), 'data-testid': 'sign-in' }, 'Sign in'),
    );
    return;
  }
  const me = identity();
  who.replaceChildren(
    el('span', { 'data-testid': 'user' }, me.name), ` (${me.roles.join(', ')}) `,
    el('button', { class: 'secondary', onclick: () => signOut() }, 'Sign out'));
  window.addEventListener('hashchange', route);
  await route();
}

start();
