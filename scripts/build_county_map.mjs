// Build a state's county map shipped as package data: src/caucuskit/web/static/<state>-counties.json
// (iowa: 99 counties, nevada: 17).
//
// Source: the `us-atlas` npm package (counties-albers-10m.json: Census cartographic boundary
// shapes, already projected to Albers USA; ISC licence, see NOTICE). Run once, commit the output:
//
//   mkdir -p /tmp/atlas && cd /tmp/atlas && npm install us-atlas@3 topojson-client@3
//   node scripts/build_county_map.mjs iowa /tmp/atlas/node_modules
//   node scripts/build_county_map.mjs nevada /tmp/atlas/node_modules
//
// Output: {"viewBox", "source", "counties": [{fips, name, d, x, y}], "outline"} where d is an SVG
// path in the view box, (x, y) a label point inside the county and outline the state border.
// Nothing in the browser needs a map library: the server colours these paths (web/pages/map.py).
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// The states shipped: the state FIPS prefix and how many counties the atlas must hold.
const STATES = {
  iowa: { name: "Iowa", fips: "19", counties: 99 },
  nevada: { name: "Nevada", fips: "32", counties: 17 },
};
const WIDTH = 640; // view box width; the height follows the shape
const PAD = 4;

const stateKey = process.argv[2];
const state = Object.hasOwn(STATES, stateKey ?? "") ? STATES[stateKey] : undefined;
if (!state) {
  throw new Error(`usage: build_county_map.mjs <${Object.keys(STATES).join("|")}> [node_modules]`);
}
const modules = resolve(process.argv[3] ?? "node_modules");
const require = createRequire(join(modules, "noop.js"));
const topojson = require("topojson-client");
const atlasPath = join(modules, "us-atlas", "counties-albers-10m.json");
const atlasPkg = JSON.parse(readFileSync(join(modules, "us-atlas", "package.json"), "utf8"));
const topology = JSON.parse(readFileSync(atlasPath, "utf8"));

const geometries = topology.objects.counties.geometries.filter((g) =>
  String(g.id).startsWith(state.fips),
);
if (geometries.length !== state.counties) {
  throw new Error(`expected ${state.name}'s ${state.counties} counties, found ${geometries.length}`);
}
const collection = { type: "GeometryCollection", geometries };
const features = topojson.feature(topology, collection).features;
const outline = topojson.merge(topology, geometries);

function rings(geometry) {
  if (geometry.type === "Polygon") return geometry.coordinates;
  if (geometry.type === "MultiPolygon") return geometry.coordinates.flat();
  throw new Error(`unexpected geometry ${geometry.type}`);
}

let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
for (const ring of rings(outline)) {
  for (const [x, y] of ring) {
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
  }
}
const k = (WIDTH - 2 * PAD) / (x1 - x0);
const height = Math.ceil((y1 - y0) * k + 2 * PAD);
const fmt = (v) => (Math.round(v * 10) / 10).toString();
const px = ([x, y]) => [(x - x0) * k + PAD, (y - y0) * k + PAD];

function pathOf(geometry) {
  return rings(geometry)
    .map((ring) => {
      const pts = ring.map(px);
      // drop the closing point (Z closes) and consecutive duplicates after rounding
      const out = [];
      for (const [x, y] of pts.slice(0, -1)) {
        const s = `${fmt(x)},${fmt(y)}`;
        if (out[out.length - 1] !== s) out.push(s);
      }
      return "M" + out.join("L") + "Z";
    })
    .join("");
}

// Label point: centroid of the largest ring (shoelace formula), in view box units.
function labelPoint(geometry) {
  let best = null;
  for (const ring of rings(geometry)) {
    const pts = ring.map(px);
    let a = 0, cx = 0, cy = 0;
    for (let i = 0; i < pts.length - 1; i++) {
      const [xa, ya] = pts[i];
      const [xb, yb] = pts[i + 1];
      const c = xa * yb - xb * ya;
      a += c; cx += (xa + xb) * c; cy += (ya + yb) * c;
    }
    if (!best || Math.abs(a) > Math.abs(best.a)) best = { a, x: cx / (3 * a), y: cy / (3 * a) };
  }
  return [Number(fmt(best.x)), Number(fmt(best.y))];
}

const counties = features
  .map((f) => {
    const [x, y] = labelPoint(f.geometry);
    return { fips: String(f.id), name: f.properties.name, d: pathOf(f.geometry), x, y };
  })
  .sort((a, b) => a.name.localeCompare(b.name));

const out = {
  viewBox: `0 0 ${WIDTH} ${height}`,
  source: `us-atlas ${atlasPkg.version} counties-albers-10m.json (ISC licence; US Census Bureau ` +
    `cartographic boundary shapes); built by scripts/build_county_map.mjs ${stateKey}`,
  counties,
  outline: pathOf(outline),
};
const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, "..", "src", "caucuskit", "web", "static", `${stateKey}-counties.json`);
writeFileSync(target, JSON.stringify(out, null, 0) + "\n");
console.log(`wrote ${counties.length} counties to ${target} (${out.viewBox})`);
