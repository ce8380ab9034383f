import { type HttpResponse, sendJson, setHeader } from '../common/http.js';

/** The error body Back-Channel Logout 1.0 §2.8 prescribes (OAuth 2.0 error shape). */
export interface BackchannelErrorBody {
  error: 'invalid_request';
  error_description: string;
}

/** Every answer of the endpoint is uncacheable. */
export function setNoStore(response: HttpResponse): void {
  setHeader(response, 'Cache-Control', 'no-store');
  setHeader(response, 'Pragma', 'no-cache');
}

export function sendBackchannelRefusal(response: HttpResponse, description: string): void {
  setNoStore(response);
  const body: BackchannelErrorBody = { error: 'invalid_request', error_description: description };
  sendJson(response, 400, body);
}
