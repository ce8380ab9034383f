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
