// The route load of the benchmarks: autocannon on one path for a few seconds, optionally a
// different Bearer token per request (rotated through a list).
import autocannon from 'autocannon';

/** Connections of every route figure. */
export const CONNECTIONS = 50;

/** autocannon `connections` strong on `url + path` for `seconds`; answers autocannon's result. */
export function cannon(
  url,
  path,
  { headers = {}, rotate, connections = CONNECTIONS } = {},
  seconds,
) {
  let i = 0;
  const requests = rotate
    ? [
        {
          method: 'GET',
          path,
          setupRequest: (req) => ({
            ...req,
            headers: { ...req.headers, authorization: `Bearer ${rotate[i++ % rotate.length]}` },
          }),
        },
      ]
    : undefined;
  return autocannon({
    url: `${url}${path}`,
    connections,
    duration: seconds,
    headers,
    requests,
  });
}

/**
 * One measured run of `cannon` against a benchmark process (`target.url`, `target.call`): its
 * req/s and the CPU time per request the target spent serving it (read before and after).
 * Throws on any non-2xx answer or error. `key` names the variant in that error.
 */
export async function measuredRun(key, target, path, options, seconds) {
  const cpuBefore = await target.call('cpu');
  const result = await cannon(target.url, path, options, seconds);
  const cpuPerRequest = ((await target.call('cpu')) - cpuBefore) / result.requests.total;
  if (result.non2xx || result.errors)
    throw new Error(`${key}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rate: result.requests.total / result.duration, cpuPerRequest };
}
