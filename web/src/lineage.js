// The lineage page: upstream to the source series and instances, or downstream to everything
// made from an entity, laid out with dagre; each node's properties on click.
import dagre from '@dagrejs/dagre';
import { gql } from './api.js';
import { el, errorBox } from './dom.js';

const LINEAGE = `query($of: ID!, $dir: LineageDirection!, $depth: Int) {
  lineage(of: $of, direction: $dir, depth: $depth) {
    nodes { id kind label properties { name value } } edges { from to relation } } }`;

const COLOURS = {
  Instance: '#5b7fa6', Series: '#4a6b8c', Volume: '#6b8fb3', LabelMap: '#7aa37a', Mesh: '#9cbf6e',
  TwinVersion: '#c9a85a', Activity: '#b06c8f', Agent: '#8c6bb0', PrintOrder: '#d08b5b',
  Artefact: '#d0645b', Approval: '#c05b8c', SegmentationReview: '#c05b8c',
};
const SVG = 'http://www.w3.org/2000/svg';
/** Groups of at least this many alike nodes (same kind, same neighbours) are drawn as one. */
const GROUP = 6;

export async function lineagePage(root, id, query) {
  const direction = query.get('dir') === 'DOWNSTREAM' ? 'DOWNSTREAM' : 'UPSTREAM';
  const depth = query.get('depth') ? Number(query.get('depth')) : null;
  const link = (dir) => `#/lineage/${encodeURIComponent(id)}?dir=${dir}`;
  root.replaceChildren(
    el('h1', {}, 'Lineage of ', el('code', {}, id)),
    el('p', {},
      el('a', { href: link('UPSTREAM'), class: direction === 'UPSTREAM' ? 'active' : '' }, 'upstream (what it was made from)'),
      ' · ',
      el('a', { href: link('DOWNSTREAM'), class: direction === 'DOWNSTREAM' ? 'active' : '' }, 'downstream (what was made from it)')),
    el('p', { class: 'muted' }, 'Loading…'),
  );
  let lineage;
  try {
    ({ lineage } = await gql(LINEAGE, { of: id, dir: direction, depth }));
  } catch (error) {
    root.lastChild.replaceWith(errorBox(error));
    return;
  }
  const counts = new Map();
  for (const n of lineage.nodes) counts.set(n.kind, (counts.get(n.kind) || 0) + 1);
  const details = el('aside', { class: 'side', 'data-testid': 'node-details' },
    el('p', { class: 'muted' }, 'Click a node to see its properties.'));
  const summary = el('table', { class: 'numbers small', 'data-testid': 'kind-counts' },
    el('tr', {}, el('th', {}, 'kind'), el('th', {}, 'nodes')),
    ...[...counts].sort().map(([kind, count]) =>
      el('tr', {}, el('td', {}, kind), el('td', { 'data-testid': `count-${kind}` }, String(count)))));
  const canvas = el('div', { class: 'graph' });
  root.lastChild.replaceWith(el('div', { class: 'twin-body' }, el('div', {}, summary, canvas), details));
  canvas.append(draw(lineage, (node) => details.replaceChildren(...describe(node))));
}

/**
 * Collapses alike nodes (e.g. the 140 instances of one series, and the 140 receipts that stored
 * them) into one box: nodes of a kind are alike when they have the same relations to the same
 * nodes, where a neighbour of a kind seen many times counts by its kind alone.
 */
function grouped(lineage) {
  const byId = new Map(lineage.nodes.map((n) => [n.id, n]));
  const perKind = new Map();
  for (const n of lineage.nodes) perKind.set(n.kind, (perKind.get(n.kind) || 0) + 1);
  const name = (id) => {
    const kind = byId.get(id)?.kind;
    return perKind.get(kind) >= GROUP ? `*${kind}` : id;
  };
  const neighbours = new Map(lineage.nodes.map((n) => [n.id, new Set()]));
  for (const e of lineage.edges) {
    neighbours.get(e.from)?.add(`>${name(e.to)}:${e.relation}`);
    neighbours.get(e.to)?.add(`<${name(e.from)}:${e.relation}`);
  }
  const byKey = new Map();
  for (const n of lineage.nodes) {
    const key = `${n.kind}|${[...neighbours.get(n.id)].sort().join(',')}`;
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key).push(n);
  }
  const representative = new Map();
  const nodes = [];
  for (const members of byKey.values()) {
    if (members.length >= GROUP) {
      const group = { id: `group:${members[0].id}`, kind: members[0].kind,
        label: `${members.length} × ${members[0].kind}`, members, properties: [] };
      nodes.push(group);
      for (const m of members) representative.set(m.id, group.id);
    } else {
      for (const m of members) { nodes.push(m); representative.set(m.id, m.id); }
    }
  }
  const seen = new Set();
  const edges = [];
  for (const e of lineage.edges) {
    const from = representative.get(e.from);
    const to = representative.get(e.to);
    const key = `${from}>${to}:${e.relation}`;
    if (from && to && !seen.has(key)) { seen.add(key); edges.push({ from, to, relation: e.relation }); }
  }
  return { nodes, edges };
}

function draw(lineage, onSelect) {
  const { nodes, edges } = grouped(lineage);
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 60, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: 190, height: 38, node: n });
  edges.forEach((e, i) => g.setEdge(e.from, e.to, { relation: e.relation }, `e${i}`));
  dagre.layout(g);
  const { width, height } = g.graph();
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.innerHTML = '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#8895a7"/></marker></defs>';
  for (const e of g.edges()) {
    const points = g.edge(e).points.map((p) => `${p.x},${p.y}`).join(' ');
    const line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', points);
    line.setAttribute('class', 'edge');
    line.setAttribute('marker-end', 'url(#arrow)');
    const title = document.createElementNS(SVG, 'title');
    title.textContent = g.edge(e).relation;
    line.append(title);
    svg.append(line);
  }
  for (const id of g.nodes()) {
    const { x, y, width: w, height: h, node } = g.node(id);
    const box = document.createElementNS(SVG, 'g');
    box.setAttribute('class', 'node');
    box.setAttribute('data-kind', node.kind);
    box.setAttribute('transform', `translate(${x - w / 2},${y - h / 2})`);
    const rect = document.createElementNS(SVG, 'rect');
    rect.setAttribute('width', w);
    rect.setAttribute('height', h);
    rect.setAttribute('rx', 6);
    rect.setAttribute('fill', COLOURS[node.kind] || '#7d8796');
    const kind = document.createElementNS(SVG, 'text');
    kind.setAttribute('x', 8);
    kind.setAttribute('y', 14);
    kind.setAttribute('class', 'kind');
    kind.textContent = node.kind;
    const label = document.createElementNS(SVG, 'text');
    label.setAttribute('x', 8);
    label.setAttribute('y', 30);
    label.textContent = truncate(node.label || node.id, 30);
    box.append(rect, kind, label);
    box.addEventListener('click', () => onSelect(node));
    svg.append(box);
  }
  return svg;
}

function describe(node) {
  if (node.members) {
    return [
      el('h2', {}, node.label),
      el('table', { class: 'props small' },
        el('tr', {}, el('th', {}, 'id'), el('th', {}, 'label')),
        ...node.members.map((m) => el('tr', {}, el('td', {}, el('a', { href: `#/lineage/${encodeURIComponent(m.id)}?dir=DOWNSTREAM` }, m.id)), el('td', {}, m.label)))),
    ];
  }
  return [
    el('h2', {}, node.kind),
    el('p', {}, el('code', {}, node.id)),
    el('p', {},
      el('a', { href: `#/lineage/${encodeURIComponent(node.id)}?dir=UPSTREAM` }, 'upstream from here'), ' · ',
      el('a', { href: `#/lineage/${encodeURIComponent(node.id)}?dir=DOWNSTREAM` }, 'downstream from here')),
    el('table', { class: 'props small' },
      ...node.properties.map((p) => el('tr', {}, el('th', {}, p.name), el('td', {}, p.value)))),
  ];
}

function truncate(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
