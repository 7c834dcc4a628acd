// The twin page: structures in 3D, the version timeline per branch, and the difference between
// two versions as a colour map with its legend in millimetres.
import { STLLoader } from 'three/addons/loaders/STLLoader.js';
import { PLYLoader } from 'three/addons/loaders/PLYLoader.js';
import { gql, download, subscribe } from './api.js';
import { hasRole } from './auth.js';
import { el, mm, progress, errorBox } from './dom.js';
import { SurfaceView, colourByDistance, divergingColour } from './scene.js';

const PALETTE = ['#e9e4d8', '#d97b66', '#6fa8dc', '#93c47d', '#c27ba0', '#f6b26b'];

const TWIN = `query($id: ID!) { twin(id: $id) { id versionCount createdAt
  patient { pseudonym name patientId studies { uid description series { uid description modality } } }
  branches { name head { number } base { number } } } }`;
const VERSIONS = `query($id: ID!, $after: String) { twin(id: $id) {
  versions(first: 50, after: $after) { totalCount pageInfo { hasNextPage endCursor }
    nodes { id number branch createdAt author segmentationState registration tags parent { number } } } } }`;
const VERSION = `query($v: ID!) { twinVersion(id: $v) { id number branch segmentationState registration
  sourceSeries { uid description modality }
  structures { name mesh { id triangleCount volume area
    qa { watertight manifold shells wallThicknessMm }
    stl: download(format: STL) threeMf: download(format: THREE_MF) } }
  registrations { structure rmsMm rotationDegrees needsReview } } }`;
const DIFF = `query($v: ID!, $w: ID!) { twinVersion(id: $v) { diff(against: $w) {
  structure hausdorffMm minMm maxMm meanAbsoluteMm p95AbsoluteMm rmsMm volumeChangeMm3 download } } }`;
const BUILD = `mutation($s: String!) { buildTwinVersion(input: {seriesUid: $s}) { id number } }`;
const NEW_VERSIONS = `subscription($t: ID!) { twinVersions(twinId: $t) { id number branch } }`;

export async function twinPage(root, twinId, cleanups) {
  const { twin } = await gql(TWIN, { id: twinId });
  if (!twin) {
    root.replaceChildren(errorBox(new Error(`no twin ${twinId}`)));
    return;
  }
  const versions = await allVersions(twinId);
  const patient = twin.patient;
  const who = patient?.name ? `${patient.name} (${patient.patientId})` : patient?.pseudonym || '—';

  const viewport = el('div', { class: 'viewport', 'data-testid': 'viewport' });
  const side = el('aside', { class: 'side' });
  const timeline = el('section', { class: 'timeline', 'data-testid': 'timeline' });
  const status = el('div', { class: 'status' });
  root.replaceChildren(
    el('h1', {}, 'Twin ', el('span', { 'data-testid': 'patient' }, who)),
    el('p', { class: 'muted' }, `${twin.versionCount} versions · created ${twin.createdAt} · `,
      el('a', { href: `#/lineage/${encodeURIComponent(twinId)}` }, 'lineage')),
    timeline,
    status,
    el('div', { class: 'twin-body' }, viewport, side),
  );

  const view = new SurfaceView(viewport);
  cleanups.push(() => view.dispose());
  const state = { selected: null, against: null, versions };

  const renderTimeline = () => {
    const branches = new Map();
    for (const v of state.versions) {
      if (!branches.has(v.branch)) branches.set(v.branch, []);
      branches.get(v.branch).push(v);
    }
    timeline.replaceChildren(
      el('h2', {}, 'Versions'),
      el('p', { class: 'muted' }, 'Click a version to show it; shift-click another to see how the shown one differs from it.'),
      ...[...branches].map(([branch, list]) =>
        el('div', { class: 'branch', 'data-branch': branch },
          el('span', { class: 'branch-name' }, branch),
          ...list.map((v) =>
            el('button', {
              class: `chip ${v.id === state.selected ? 'selected' : ''} ${v.id === state.against ? 'against' : ''}`,
              'data-testid': 'version-chip',
              'data-number': v.number,
              'data-id': v.id,
              title: `${v.createdAt} by ${v.author}; segmentation ${v.segmentationState}; registration ${v.registration}`,
              onclick: (event) => (event.shiftKey ? compare(v.id) : show(v.id)),
            }, `v${v.number}`, v.tags.length ? ` ${v.tags.join(', ')}` : '', v.segmentationState === 'PROPOSED' ? ' ◌' : ''),
          ),
        ),
      ),
    );
  };

  const show = async (versionId) => {
    state.selected = versionId;
    state.against = null;
    renderTimeline();
    status.replaceChildren();
    const loading = progress('Loading meshes…');
    side.replaceChildren(loading.node);
    try {
      const { twinVersion: version } = await gql(VERSION, { v: versionId });
      view.clear();
      const loader = new STLLoader();
      await Promise.all(
        version.structures.map(async (s, i) => {
          const geometry = loader.parse(await download(s.mesh.stl));
          view.add(s.name, geometry, PALETTE[i % PALETTE.length]);
        }),
      );
      view.frame();
      side.replaceChildren(...versionPanel(version, view, state.versions, compare));
    } catch (error) {
      side.replaceChildren(errorBox(error));
    } finally {
      loading.done();
    }
  };

  const compare = async (againstId) => {
    if (!state.selected || againstId === state.selected) return;
    state.against = againstId;
    renderTimeline();
    const loading = progress('Comparing versions…');
    status.replaceChildren(loading.node);
    try {
      const { twinVersion } = await gql(DIFF, { v: state.selected, w: againstId });
      const diffs = twinVersion.diff;
      const range = Math.max(0, ...diffs.map((d) => d.hausdorffMm));
      view.clear();
      const loader = new PLYLoader();
      loader.setCustomPropertyNameMapping({ distance: ['distance'] });
      for (const d of diffs) {
        const geometry = loader.parse(await download(d.download));
        view.add(d.structure, colourByDistance(geometry, range));
      }
      view.frame();
      const from = state.versions.find((v) => v.id === state.selected);
      const to = state.versions.find((v) => v.id === againstId);
      status.replaceChildren(legend(range, from, to), diffTable(diffs));
    } catch (error) {
      status.replaceChildren(errorBox(error));
    } finally {
      loading.done();
    }
  };

  renderTimeline();
  if (state.versions.length) await show(state.versions[state.versions.length - 1].id);

  if (hasRole('planner', 'admin') && patient?.studies) {
    root.insertBefore(buildForm(twin, status), timeline.nextSibling);
  }
  // new versions (from the scanner, a colleague, the automatic segmentation) appear live
  cleanups.push(
    subscribe(NEW_VERSIONS, { t: twinId }, async () => {
      state.versions = await allVersions(twinId);
      renderTimeline();
    }),
  );
}

async function allVersions(twinId) {
  const out = [];
  let after = null;
  for (;;) {
    const { twin } = await gql(VERSIONS, { id: twinId, after });
    out.push(...twin.versions.nodes);
    if (!twin.versions.pageInfo.hasNextPage) return out;
    after = twin.versions.pageInfo.endCursor;
  }
}

function versionPanel(version, view, versions, compare) {
  const structures = version.structures.map((s, i) => {
    const q = s.mesh.qa;
    return el('div', { class: 'structure', 'data-structure': s.name },
      el('label', {},
        el('input', { type: 'checkbox', checked: true, onchange: (e) => view.setVisible(s.name, e.target.checked) }),
        ` ${s.name} `),
      el('input', { type: 'color', value: PALETTE[i % PALETTE.length], title: 'colour',
        oninput: (e) => view.setColour(s.name, e.target.value) }),
      el('div', { class: 'muted small' },
        `${s.mesh.triangleCount.toLocaleString()} triangles · ${(s.mesh.volume / 1000).toFixed(1)} cm³ · `,
        q.watertight && q.manifold ? 'watertight' : 'NOT watertight',
        ` · ${q.shells} shell${q.shells === 1 ? '' : 's'}`,
        q.wallThicknessMm != null ? ` · wall ≥ ${mm(q.wallThicknessMm, 1)}` : ''),
      el('div', { class: 'small' },
        saveLink('STL', s.mesh.stl), ' ', saveLink('3MF', s.mesh.threeMf), ' ',
        el('a', { href: `#/lineage/${encodeURIComponent(s.mesh.id)}` }, 'lineage')),
    );
  });
  const measured = el('output', { 'data-testid': 'measurement' }, '—');
  view.onMeasure = (distance) => { measured.textContent = mm(distance); };
  const axis = el('select', { 'data-testid': 'section-axis' },
    el('option', { value: '' }, 'no section'),
    el('option', { value: 'x' }, 'sagittal (x)'),
    el('option', { value: 'y' }, 'coronal (y)'),
    el('option', { value: 'z' }, 'axial (z)'));
  const slider = el('input', { type: 'range', min: 0, max: 1, step: 0.005, value: 0.5 });
  const section = () => view.setSection(axis.value || null, Number(slider.value));
  axis.addEventListener('change', section);
  slider.addEventListener('input', section);
  const measure = el('input', { type: 'checkbox',
    onchange: (e) => { view.measuring = e.target.checked; view.clearMeasurement(); measured.textContent = '—'; } });
  const others = versions.filter((v) => v.id !== version.id);
  const against = el('select', { 'data-testid': 'compare-select' },
    el('option', { value: '' }, 'compare with…'),
    ...others.map((v) => el('option', { value: v.id }, `v${v.number} (${v.branch})`)));
  against.addEventListener('change', () => against.value && compare(against.value));
  const registrations = version.registrations.map((r) =>
    el('li', {}, `${r.structure}: rms ${mm(r.rmsMm)}, ${r.rotationDegrees.toFixed(1)}°`, r.needsReview ? ' — needs review' : ''));
  return [
    el('h2', {}, `Version ${version.number} `, el('span', { class: 'muted' }, version.branch)),
    el('p', { class: 'small' },
      `Segmentation ${version.segmentationState} · registration ${version.registration}`,
      version.sourceSeries ? ` · from ${version.sourceSeries.modality} “${version.sourceSeries.description ?? ''}”` : '',
      ' · ', el('a', { href: `#/lineage/${encodeURIComponent(version.id)}` }, 'lineage')),
    el('h3', {}, 'Structures'),
    ...structures,
    el('h3', {}, 'Tools'),
    el('div', { class: 'tool' }, axis, slider),
    el('div', { class: 'tool' }, el('label', {}, measure, ' measure: click two points'), ' ', measured),
    el('div', { class: 'tool' }, against),
    registrations.length ? el('h3', {}, 'Registration onto the parent') : null,
    registrations.length ? el('ul', { class: 'small' }, registrations) : null,
  ];
}

/** The colour scale of a diff: -range (inside, blue) to +range (outside, red), in mm. */
function legend(range, from, to) {
  const stops = [-1, -0.5, 0, 0.5, 1].map((t) => {
    const [r, g, b] = divergingColour(t * range, range).map((c) => Math.round(c * 255));
    return `rgb(${r},${g},${b}) ${(t + 1) * 50}%`;
  });
  return el('div', { class: 'legend', 'data-testid': 'legend' },
    el('div', { class: 'small' }, `v${from?.number} against v${to?.number}: signed distance, mm (outside positive)`),
    el('div', { class: 'ramp', style: `background: linear-gradient(to right, ${stops.join(', ')})` }),
    el('div', { class: 'ramp-labels' },
      el('span', { 'data-testid': 'legend-min' }, (-range).toFixed(2)),
      el('span', {}, '0'),
      el('span', { 'data-testid': 'legend-max', 'data-value': String(range) }, range.toFixed(2))),
  );
}

function diffTable(diffs) {
  return el('table', { class: 'numbers small' },
    el('tr', {}, ...['structure', 'Hausdorff', 'p95 |d|', 'mean |d|', 'rms', 'min', 'max', 'volume change'].map((h) => el('th', {}, h))),
    ...diffs.map((d) => el('tr', {},
      el('td', {}, d.structure),
      ...[d.hausdorffMm, d.p95AbsoluteMm, d.meanAbsoluteMm, d.rmsMm, d.minMm, d.maxMm].map((x) => el('td', {}, mm(x))),
      el('td', {}, `${(d.volumeChangeMm3 / 1000).toFixed(2)} cm³`))),
  );
}

function buildForm(twin, status) {
  const series = twin.patient.studies.flatMap((st) => st.series);
  const select = el('select', {}, ...series.map((s) => el('option', { value: s.uid }, `${s.modality} ${s.description ?? s.uid}`)));
  const button = el('button', {
    'data-testid': 'build-version',
    onclick: async () => {
      button.disabled = true;
      const busy = progress('Building a new version (segmentation, meshing, QA, registration)…');
      status.replaceChildren(busy.node);
      try {
        const { buildTwinVersion } = await gql(BUILD, { s: select.value });
        status.replaceChildren(el('p', {}, `Version ${buildTwinVersion.number} is ready.`));
      } catch (error) {
        status.replaceChildren(errorBox(error));
      } finally {
        busy.done();
        button.disabled = false;
      }
    },
  }, 'Build version');
  return el('div', { class: 'tool' }, 'New version from ', select, ' ', button);
}

function saveLink(label, path) {
  return el('a', {
    href: '#',
    onclick: async (event) => {
      event.preventDefault();
      const blob = new Blob([await download(path)]);
      const a = el('a', { href: URL.createObjectURL(blob), download: path.split('/').pop() });
      a.click();
      URL.revokeObjectURL(a.href);
    },
  }, label);
}
