// The print queue: orders by state, the actions each role may take, job progress live from the
// printer, and each printed copy's QA with its deviation map.
import { PLYLoader } from 'three/addons/loaders/PLYLoader.js';
import { gql, download, subscribe } from './api.js';
import { hasRole } from './auth.js';
import { el, mm, progress, errorBox } from './dom.js';
import { SurfaceView } from './scene.js';

const FILTERS = {
  'Waiting for approval': ['SUBMITTED'],
  'To prepare': ['APPROVED'],
  'To print': ['PREPARED'],
  Printing: ['QUEUED', 'PRINTING'],
  'Printed / QA': ['PRINTED', 'QA_PASSED', 'QA_FAILED'],
  Done: ['DELIVERED', 'REJECTED', 'FAILED', 'CANCELLED'],
  All: [],
};
const TERMINAL = ['DELIVERED', 'REJECTED', 'CANCELLED'];

const ORDERS = `query($states: [PrintOrderState!]) {
  printOrders(states: $states, first: 20) { id state intendedUse material copies scale createdBy createdAt dueBy
    meshes { id structure } printer { id name }
    preparation { printTimeSeconds layers heightMm }
    jobs { id state materialLot events { seq state completion time }
      artefacts { id serialNumber state qa { passed reason p95Mm toleranceMm colourMapDownload } } } }
  printers { id name technology sliced } }`;
const APPROVE = `mutation($id: ID!, $d: ApprovalInput!) { approvePrintOrder(id: $id, decision: $d) { id state } }`;
const PREPARE = `mutation($id: ID!, $p: ID!) { preparePrintOrder(id: $id, printerId: $p) { id state } }`;
const SUBMIT = `mutation($id: ID!, $lot: String) { submitPrintJob(orderId: $id, materialLot: $lot) { id state } }`;
const CANCEL = `mutation($id: ID!, $r: String!) { cancelPrintOrder(id: $id, reason: $r) { id state } }`;
const JOB_EVENTS = `subscription($o: ID!) { printJobEvents(orderId: $o) { jobId state completion seq } }`;

export async function printPage(root, query, cleanups) {
  // a reload of the queue ends the previous rendering's subscriptions first
  for (const end of cleanups.splice(0)) end();
  const filter = FILTERS[query.get('show')] ? query.get('show') : 'All';
  root.replaceChildren(
    el('h1', {}, 'Print queue'),
    el('nav', { class: 'tabs' }, ...Object.keys(FILTERS).map((name) =>
      el('a', { href: `#/print?show=${encodeURIComponent(name)}`, class: name === filter ? 'active' : '' }, name))),
    el('p', { class: 'muted' }, 'Loading…'),
  );
  const reload = () => printPage(root, query, cleanups);
  let data;
  try {
    data = await gql(ORDERS, { states: FILTERS[filter] });
  } catch (error) {
    root.lastChild.replaceWith(errorBox(error));
    return;
  }
  const list = el('div', { class: 'orders' });
  if (!data.printOrders.length) list.append(el('p', { class: 'muted' }, 'No orders here.'));
  for (const order of data.printOrders) {
    list.append(card(order, data.printers, reload, cleanups));
  }
  root.lastChild.replaceWith(list);
}

function card(order, printers, reload, cleanups) {
  const message = el('div', {});
  const act = (label, run) => async () => {
    const busy = progress(label);
    message.replaceChildren(busy.node);
    try {
      await run();
      await reload();
    } catch (error) {
      message.replaceChildren(errorBox(error));
    } finally {
      busy.done();
    }
  };
  const actions = el('div', { class: 'actions' });
  if (order.state === 'SUBMITTED' && hasRole('radiologist')) {
    const meaning = el('select', {}, el('option', {}, 'approved for printing'), el('option', {}, 'reviewed'));
    const reason = el('input', { placeholder: 'reason (required)', 'data-testid': 'approval-reason', size: 28 });
    const decide = (approved) => act(approved ? 'Signing the approval…' : 'Signing the rejection…', () =>
      gql(APPROVE, { id: order.id, d: { approved, meaning: approved ? meaning.value : 'rejected', reason: reason.value } }));
    actions.append(meaning, reason,
      el('button', { onclick: decide(true), 'data-testid': 'approve' }, 'Approve'),
      el('button', { onclick: decide(false), class: 'secondary' }, 'Reject'));
  }
  if (order.state === 'APPROVED' && hasRole('technician', 'admin')) {
    const printer = el('select', {}, ...printers.map((p) => el('option', { value: p.id }, `${p.name} (${p.technology})`)));
    actions.append(printer, el('button', {
      onclick: act('Orienting, placing and slicing…', () => gql(PREPARE, { id: order.id, p: printer.value })),
    }, 'Prepare'));
  }
  if (order.state === 'PREPARED' && hasRole('technician', 'admin')) {
    const lot = el('input', { placeholder: 'material lot', size: 14 });
    actions.append(lot, el('button', {
      onclick: act('Sending to the printer…', () => gql(SUBMIT, { id: order.id, lot: lot.value || null })),
    }, 'Submit to printer'));
  }
  if (!TERMINAL.includes(order.state) && hasRole('planner', 'technician', 'admin')) {
    const reason = el('input', { placeholder: 'why cancel', size: 16 });
    actions.append(reason, el('button', {
      class: 'secondary',
      onclick: act('Cancelling…', () => gql(CANCEL, { id: order.id, r: reason.value })),
    }, 'Cancel order'));
  }
  const jobs = order.jobs.map((job) => jobRow(job));
  if (['QUEUED', 'PRINTING'].includes(order.state)) {
    cleanups.push(subscribe(JOB_EVENTS, { o: order.id }, ({ printJobEvents: e }) => {
      const row = jobs.find((j) => j.job.id === e.jobId);
      row?.update(e.state, e.completion);
      if (['DONE', 'FAILED', 'CANCELLED'].includes(e.state)) reload();
    }));
  }
  return el('article', { class: 'order', 'data-order-id': order.id },
    el('header', {},
      el('span', { class: `badge state-${order.state}`, 'data-testid': 'order-state' }, order.state),
      ` ${order.intendedUse} · ${order.material} · ${order.copies} × at ${Math.round(order.scale * 100)} %`),
    el('div', { class: 'small muted' },
      `${order.id} · by ${order.createdBy} at ${order.createdAt}`, order.dueBy ? ` · due ${order.dueBy}` : '',
      order.printer ? ` · ${order.printer.name}` : '',
      order.preparation?.printTimeSeconds ? ` · ${order.preparation.layers} layers, about ${Math.round(order.preparation.printTimeSeconds / 60)} min` : ''),
    el('div', { class: 'small' }, 'Parts: ', ...order.meshes.map((m, i) =>
      [i ? ', ' : '', el('a', { href: `#/lineage/${encodeURIComponent(m.id)}` }, m.structure)])),
    ...jobs.map((j) => j.node),
    actions,
    message,
  );
}

function jobRow(job) {
  const latest = job.events[job.events.length - 1];
  const bar = el('progress', { max: 100, value: latest ? Math.round(latest.completion) : 0 });
  const text = el('span', {}, '');
  const update = (state, completion) => {
    bar.value = Math.round(completion);
    text.textContent = ` ${state} ${Math.round(completion)} %`;
  };
  update(job.state, latest ? latest.completion : 0);
  const artefacts = job.artefacts.map((a) => el('li', {},
    el('a', { href: `#/lineage/${encodeURIComponent(a.id)}` }, a.serialNumber), ` ${a.state}`,
    a.qa ? [` · QA ${a.qa.passed ? 'passed' : `failed: ${a.qa.reason}`} (p95 ${mm(a.qa.p95Mm)} of ${mm(a.qa.toleranceMm)}) `,
      el('button', { class: 'secondary', 'data-testid': 'deviation-map', onclick: () => deviationMap(a) }, 'deviation map')] : ''));
  const node = el('div', { class: 'job' },
    el('div', { class: 'small' }, `Job ${job.id}`, job.materialLot ? ` · lot ${job.materialLot}` : '', ' ', bar, text),
    artefacts.length ? el('ul', { class: 'small' }, artefacts) : null);
  return { job, node, update };
}

async function deviationMap(artefact) {
  const viewport = el('div', { class: 'viewport' });
  const close = el('button', { class: 'close' }, 'Close');
  const dialog = el('dialog', { class: 'map' },
    el('h2', {}, `${artefact.serialNumber}: scan against its design`),
    el('p', { class: 'small' }, `blue inside, red outside; full colour at ${mm(2 * artefact.qa.toleranceMm)}, twice the tolerance of the order's use`),
    viewport, close);
  document.body.append(dialog);
  dialog.showModal();
  const view = new SurfaceView(viewport);
  close.addEventListener('click', () => { view.dispose(); dialog.remove(); });
  try {
    view.add('scan', new PLYLoader().parse(await download(artefact.qa.colourMapDownload)));
    view.frame();
    dialog.dataset.ready = 'true';
  } catch (error) {
    viewport.replaceWith(errorBox(error));
  }
}
