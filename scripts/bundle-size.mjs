// The release bundle as a first visit downloads it (brotli, as served):
// the main module with its JS glue, the stylesheet and the split loader,
// then each route's chunks on top (from the split manifest). Fails when the
// main module or the kiosk route passes its limit.
// Usage: node scripts/bundle-size.mjs <pkg dir> <hash.txt> <main limit KB> <kiosk limit KB>
import { existsSync, readFileSync, statSync } from 'node:fs';

const [pkg, hashFile, mainLimit, kioskLimit] = process.argv.slice(2);
const hashes = Object.fromEntries(
  readFileSync(hashFile, 'utf8')
    .split('\n')
    .map((line) => line.split(':').map((part) => part.trim()))
    .filter(([kind, hash]) => kind && hash),
);
const file = (name) => {
  const path = `${pkg}/${name}.br`;
  if (!existsSync(path)) throw new Error(`${path} is missing: build with --release --precompress --split`);
  return statSync(path).size;
};
const kb = (bytes) => Math.round(bytes / 1024);
const line = (what, bytes, note = '') => console.log(`    ${what.padEnd(48)} ${String(kb(bytes)).padStart(6)} KB${note}`);

const main = {
  wasm: file(`partnerstwa.${hashes.wasm}.wasm`),
  js: file(`partnerstwa.${hashes.js}.js`),
  css: file(`partnerstwa.${hashes.css}.css`),
  loader: hashes.split ? file(`__wasm_split.${hashes.split}.js`) : 0,
};
const base = Object.values(main).reduce((a, b) => a + b, 0);
for (const [kind, bytes] of Object.entries(main)) line(`main ${kind}`, bytes);
line('main module (every page loads it)', base, ` (limit ${mainLimit} KB)`);

const manifest = hashes.manifest
  ? JSON.parse(readFileSync(`${pkg}/__wasm_split_manifest.${hashes.manifest}.json`, 'utf8'))
  : {};
const routes = Object.entries(manifest)
  .map(([split, modules]) => [split.replace(/^__/, '').replace(/(_view)?_\d+$/, ''), modules.reduce((a, m) => a + file(`${m}.wasm`), 0)])
  .sort(([a], [b]) => a.localeCompare(b));
for (const [route, bytes] of routes) line(`route ${route}: main + its chunks`, base + bytes);
const every = [...new Set(Object.values(manifest).flat())];
line(`every split file (${every.length}; cached by the worker later)`, every.reduce((a, m) => a + file(`${m}.wasm`), 0));
const kiosk = routes.find(([route]) => route === 'kiosk');
if (kiosk) line('kiosk link, first visit', base + kiosk[1], ` (limit ${kioskLimit} KB)`);

const failures = [];
if (kb(base) > Number(mainLimit)) failures.push(`the main module grew to ${kb(base)} KB, past its ${mainLimit} KB limit`);
if (kiosk && kb(base + kiosk[1]) > Number(kioskLimit)) {
  failures.push(`the kiosk route grew to ${kb(base + kiosk[1])} KB, past its ${kioskLimit} KB limit`);
}
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
