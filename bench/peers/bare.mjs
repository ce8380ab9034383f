// The bare Nest app every route figure is divided by: the demo's hello routes, no auth at all.
import { helloController, nestApp } from './nest-parts.mjs';

export function createPeer() {
  return nestApp({ controllers: [helloController(undefined, () => 'nobody')] });
}
