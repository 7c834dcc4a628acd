// The 3D view: meshes in patient coordinates (LPS, millimetres), orbit controls, a section plane,
// and a two-point distance measurement.
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';

export class SurfaceView {
  constructor(container) {
    this.container = container;
    this.renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(window.devicePixelRatio);
    this.renderer.localClippingEnabled = true;
    this.renderer.setClearColor(0x1d232b);
    container.append(this.renderer.domElement);
    this.scene = new THREE.Scene();
    this.camera = new THREE.PerspectiveCamera(35, 1, 0.5, 20000);
    this.camera.up.set(0, 0, 1); // patient superior up
    this.scene.add(new THREE.HemisphereLight(0xffffff, 0x445566, 1.6));
    const key = new THREE.DirectionalLight(0xffffff, 1.4);
    this.camera.add(key);
    key.position.set(0.5, 1, 1);
    this.scene.add(this.camera);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.addEventListener('change', () => this.render());
    this.meshes = new Map();
    this.section = new THREE.Plane(new THREE.Vector3(1, 0, 0), 0);
    this.sectionOn = false;
    this.marks = new THREE.Group();
    this.scene.add(this.marks);
    this.picked = [];
    this.onMeasure = () => {};
    this.measuring = false;
    this.renderer.domElement.addEventListener('click', (event) => this.pick(event));
    this.resizer = new ResizeObserver(() => this.resize());
    this.resizer.observe(container);
    this.resize();
  }

  resize() {
    const { clientWidth: w, clientHeight: h } = this.container;
    if (!w || !h) return;
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.render();
  }

  render() {
    this.renderer.render(this.scene, this.camera);
  }

  clear() {
    for (const mesh of this.meshes.values()) {
      this.scene.remove(mesh);
      mesh.geometry.dispose();
      mesh.material.dispose();
    }
    this.meshes.clear();
    this.clearMeasurement();
  }

  /** Adds a surface; with per-vertex colours when the geometry has them. */
  add(name, geometry, colour) {
    geometry.computeVertexNormals();
    geometry.computeBoundingBox();
    const material = new THREE.MeshStandardMaterial({
      color: geometry.hasAttribute('color') ? 0xffffff : colour,
      vertexColors: geometry.hasAttribute('color'),
      roughness: 0.65,
      metalness: 0.0,
      side: THREE.DoubleSide,
      clippingPlanes: this.sectionOn ? [this.section] : [],
    });
    const mesh = new THREE.Mesh(geometry, material);
    mesh.name = name;
    this.meshes.set(name, mesh);
    this.scene.add(mesh);
    this.render();
    return mesh;
  }

  setVisible(name, visible) {
    const mesh = this.meshes.get(name);
    if (mesh) mesh.visible = visible;
    this.render();
  }

  setColour(name, colour) {
    const mesh = this.meshes.get(name);
    if (mesh && !mesh.material.vertexColors) mesh.material.color.set(colour);
    this.render();
  }

  bounds() {
    const box = new THREE.Box3();
    for (const mesh of this.meshes.values()) box.union(mesh.geometry.boundingBox);
    return box;
  }

  /** Looks at everything from the patient's front (anterior is -Y in LPS). */
  frame() {
    const box = this.bounds();
    if (box.isEmpty()) return;
    const centre = box.getCenter(new THREE.Vector3());
    const radius = box.getSize(new THREE.Vector3()).length() / 2;
    const distance = radius / Math.sin(THREE.MathUtils.degToRad(this.camera.fov / 2));
    this.camera.position.copy(centre).add(new THREE.Vector3(0, -distance, radius * 0.2));
    this.camera.near = distance / 100;
    this.camera.far = distance * 10;
    this.camera.updateProjectionMatrix();
    this.controls.target.copy(centre);
    this.controls.update();
    this.render();
  }

  /** A section plane normal to axis ('x', 'y', 'z' or null for none) at a fraction of the bounds. */
  setSection(axis, fraction) {
    this.sectionOn = Boolean(axis);
    if (axis) {
      const box = this.bounds();
      const i = { x: 0, y: 1, z: 2 }[axis];
      const normal = new THREE.Vector3();
      normal.setComponent(i, -1);
      const at = box.min.getComponent(i) + fraction * (box.max.getComponent(i) - box.min.getComponent(i));
      this.section.set(normal, at);
    }
    for (const mesh of this.meshes.values()) {
      mesh.material.clippingPlanes = this.sectionOn ? [this.section] : [];
      mesh.material.needsUpdate = true;
    }
    this.render();
  }

  clearMeasurement() {
    this.picked = [];
    this.marks.clear();
    this.render();
  }

  pick(event) {
    if (!this.measuring) return;
    const rect = this.renderer.domElement.getBoundingClientRect();
    const pointer = new THREE.Vector2(
      ((event.clientX - rect.left) / rect.width) * 2 - 1,
      -((event.clientY - rect.top) / rect.height) * 2 + 1,
    );
    const ray = new THREE.Raycaster();
    ray.setFromCamera(pointer, this.camera);
    const visible = [...this.meshes.values()].filter((m) => m.visible);
    const hit = ray
      .intersectObjects(visible, false)
      .find((h) => !this.sectionOn || this.section.distanceToPoint(h.point) >= 0);
    if (!hit) return;
    if (this.picked.length === 2) this.clearMeasurement();
    this.picked.push(hit.point.clone());
    const size = this.bounds().getSize(new THREE.Vector3()).length() / 150;
    const dot = new THREE.Mesh(
      new THREE.SphereGeometry(size),
      new THREE.MeshBasicMaterial({ color: 0xffd400 }),
    );
    dot.position.copy(hit.point);
    this.marks.add(dot);
    if (this.picked.length === 2) {
      const line = new THREE.Line(
        new THREE.BufferGeometry().setFromPoints(this.picked),
        new THREE.LineBasicMaterial({ color: 0xffd400 }),
      );
      this.marks.add(line);
      this.onMeasure(this.picked[0].distanceTo(this.picked[1]), this.picked);
    }
    this.render();
  }

  dispose() {
    this.resizer.disconnect();
    this.clear();
    this.controls.dispose();
    this.renderer.dispose();
  }
}

/** Blue (inside, -range) through white (on the surface) to red (outside, +range). */
export function divergingColour(distance, range) {
  const t = Math.max(-1, Math.min(1, range > 0 ? distance / range : 0));
  return t < 0 ? [1 + t, 1 + t, 1] : [1, 1 - t, 1 - t];
}

/** Colours a geometry's vertices from its 'distance' attribute on a symmetric range (mm). */
export function colourByDistance(geometry, range) {
  const distance = geometry.getAttribute('distance');
  const colours = new Float32Array(distance.count * 3);
  for (let i = 0; i < distance.count; i++) {
    colours.set(divergingColour(distance.getX(i), range), i * 3);
  }
  geometry.setAttribute('color', new THREE.BufferAttribute(colours, 3));
  return geometry;
}
