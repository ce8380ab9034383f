// Reading a .cpuprofile (node --cpu-prof): self and inclusive time per function and per place.
import { readFileSync } from 'node:fs';

/** Package (node_modules), dist/src/<folder> of the module, or node internals. */
export function placeOf(url) {
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
  if (url.includes('/bench/')) return 'bench';
  return url.startsWith('node:') ? 'node:internal' : url.split('/').slice(-2).join('/');
}

/** Parses a profile: {totalUs, idleUs, selfByPlace, selfByFunction, inclusive(match)}. */
export function readProfile(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  profile.samples.forEach((id, i) =>
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  );
  let totalUs = 0;
  let idleUs = 0;
  const selfByPlace = new Map();
  const selfByFunction = new Map();
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id);
    totalUs += us;
    if (callFrame.functionName === '(idle)') idleUs += us;
    const place = callFrame.url ? placeOf(callFrame.url) : callFrame.functionName;
    selfByPlace.set(place, (selfByPlace.get(place) ?? 0) + us);
    const name = `${callFrame.functionName || '(anonymous)'} ${placeOf(callFrame.url)}:${callFrame.lineNumber + 1}`;
    selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + us);
  }
  const subtree = (node) =>
    (self.get(node.id) ?? 0) +
    (node.children ?? []).reduce((sum, c) => sum + subtree(byId.get(c)), 0);
  /** Inclusive time of the outermost frames matching `match(callFrame)` (no double count). */
  function inclusive(match) {
    let us = 0;
    const walk = (node) => {
      if (match(node.callFrame)) us += subtree(node);
      else for (const child of node.children ?? []) walk(byId.get(child));
    };
    walk(profile.nodes[0]);
    return us;
  }
  return { totalUs, idleUs, busyUs: totalUs - idleUs, selfByPlace, selfByFunction, inclusive };
}
