// Summarises a .cpuprofile (from `node --cpu-prof`): top functions by self time and the share
// of time per package/folder. Usage: node bench/profile-summary.mjs <file.cpuprofile> [top]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++)
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);

function where(url) {
  if (!url) return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0)
    return url
      .slice(dist + 1)
      .split('/')
      .slice(0, 3)
      .join('/');
  return url.startsWith('node:') ? 'node:internal' : url.split('/').slice(-2).join('/');
}

const fns = new Map();
const places = new Map();
for (const [id, time] of self) {
  const { callFrame } = byId.get(id);
  const name = `${callFrame.functionName || '(anonymous)'} ${where(callFrame.url)}:${callFrame.lineNumber + 1}`;
  fns.set(name, (fns.get(name) ?? 0) + time);
  const place = callFrame.url ? where(callFrame.url) : callFrame.functionName;
  places.set(place, (places.get(place) ?? 0) + time);
}
const pct = (t) => `${((t / total) * 100).toFixed(1).padStart(5)}%`;
console.log(`total sampled ${(total / 1000).toFixed(0)} ms`);
console.log('\nself time by package/folder:');
for (const [place, time] of [...places].sort((a, b) => b[1] - a[1]).slice(0, 20))
  console.log(`${pct(time)}  ${place}`);
console.log(`\ntop ${top} functions by self time:`);
for (const [name, time] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(time)}  ${name}`);
