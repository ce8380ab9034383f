// In-process CPU profiling over the inspector, started and stopped by the bench over IPC, so a
// profile covers the measured load only (no start-up, no warm-up).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

let session;

export async function profileStart() {
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return true;
}

/** Stops the profile and writes it to `file` (.cpuprofile format). */
export async function profileStop({ file }) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(file, JSON.stringify(profile));
  session.disconnect();
  return file;
}
