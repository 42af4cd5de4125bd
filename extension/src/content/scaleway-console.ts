// Scaleway console content script. For now it only marks the page as seen by Keysmith; console
// integration comes later. It reads nothing and sends nothing.

import { markLoaded } from './mark-loaded.js';

markLoaded('scaleway-console');
