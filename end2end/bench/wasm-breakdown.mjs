// Where the main module's bytes go (scripts/bench first-load): twiggy's
// per-item sizes of the main module as split, before wasm-opt (the last
// build step strips the names), summed by crate, and by module for ours.
// Shares, not final sizes: wasm-opt and brotli shrink each part unevenly.
// Usage: node bench/wasm-breakdown.mjs <app_split.wasm>
import { execFileSync } from 'node:child_process';

const wasm = process.argv[2];
const csv = execFileSync('twiggy', ['top', '-n', '10000000', '--format', 'csv', wasm], {
  encoding: 'utf8',
  maxBuffer: 1 << 30,
});

/** The crate (or `app::module`) an item belongs to, from its symbol name. */
function owner(name) {
  const plain = name.replace(/\[[0-9a-f]{16}\]/g, '');
  // `<T as tachys::view::Render>::build`: the trait's crate did the work.
  const blanket = plain.match(/^<(?:&(?:mut )?)?[A-Za-z_0-9:<>, ]*? as ([A-Za-z_][A-Za-z0-9_:]*)/);
  const path = blanket && /^<(T|&mut serde_json)/.test(plain)
    ? blanket[1]
    : (plain.replace(/^[<&*( ]+/, '').replace(/\b(mut|dyn) /g, '').match(/^[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*/) ?? [plain])[0];
  const parts = path.split('::');
  return parts[0] === 'app' ? parts.slice(0, 3).join('::') : parts[0];
}

/** One CSV line's cells (a quoted cell may hold commas and doubled quotes). */
function cells(line) {
  const out = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === ',' && !quoted) {
      out.push(cell);
      cell = '';
    } else {
      cell += c;
    }
  }
  out.push(cell);
  return out;
}

const sums = new Map();
let total = 0;
for (const line of csv.split('\n').slice(1)) {
  // Name,ShallowSize,ShallowSizePercent,RetainedSize,RetainedSizePercent
  const [name, shallow] = cells(line);
  if (!name || !shallow) continue;
  const size = Number(shallow);
  // Names and wasm-bindgen's own sections and exports go in later steps.
  if (name.includes('subsection') || name.startsWith('custom section') || name.startsWith('export ') || name.includes('wbindgen_describe')) continue;
  total += size;
  const key = name === 'data segment ".rodata"' || name.startsWith('data[') ? 'data (strings, tables)' : name.startsWith('elem[') ? 'function table' : owner(name);
  sums.set(key, (sums.get(key) ?? 0) + size);
}
const rows = [...sums].sort((a, b) => b[1] - a[1]);
const share = (bytes) => `${((100 * bytes) / total).toFixed(1)} %`;
console.log('| part of the main module | share |');
console.log('|---|---|');
for (const [key, bytes] of rows.filter(([key]) => !key.startsWith('app::')).slice(0, 14)) console.log(`| ${key} | ${share(bytes)} |`);
const ours = rows.filter(([key]) => key.startsWith('app::'));
console.log(`| app (ours), in all | ${share(ours.reduce((a, [, b]) => a + b, 0))} |`);
for (const [key, bytes] of ours.slice(0, 8)) console.log(`| … ${key} | ${share(bytes)} |`);
