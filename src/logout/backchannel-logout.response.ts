import type { Response } from 'express';

/** The error body Back-Channel Logout 1.0 §2.8 prescribes (OAuth 2.0 error shape). */
export interface BackchannelErrorBody {
  error: 'invalid_request';
  error_description: string;
}

/** Every answer of the endpoint is uncacheable. */
export function setNoStore(response: Response): void {
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Pragma', 'no-cache');
}

export function sendBackchannelRefusal(response: Response, description: string): void {
  setNoStore(response);
  const body: BackchannelErrorBody = { error: 'invalid_request', error_description: description };
  response.status(400).json(body);
}
