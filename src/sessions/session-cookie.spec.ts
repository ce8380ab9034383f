import { describe, expect, it } from 'vitest';
import type { ResolvedAuthOptions } from '../auth-options.js';
import type { HttpRequest } from '../common/http.js';
import { readSessionToken } from './session-cookie.js';

const options = { sessionCookieName: 'auth_session' } as ResolvedAuthOptions;
const withHeaders = (headers: Record<string, string>) => ({ headers }) as unknown as HttpRequest;

describe('readSessionToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER\tabc', 'abc'],
    ['BeArEr   abc  ', 'abc'],
  ])('takes the token of %j', (header, token) => {
    expect(readSessionToken(withHeaders({ authorization: header }), options)).toEqual({
      token,
      via: 'bearer',
    });
  });

  it.each(['Basic abc', 'Bearerabc', 'Bearex abc', 'Bearer ', 'Beare', 'Bëarer abc', '@EARER abc'])(
    'refuses %j as a Bearer token and falls back to the cookie',
    (header) => {
      expect(readSessionToken(withHeaders({ authorization: header }), options)).toBeUndefined();
      expect(
        readSessionToken(
          withHeaders({ authorization: header, cookie: 'auth_session=c1' }),
          options,
        ),
      ).toEqual({ token: 'c1', via: 'cookie' });
    },
  );
});
