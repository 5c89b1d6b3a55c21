/** Imports every component module so each registers its handler (see ./index.ts). */
import './variation.ts';
import './extend.ts';
import './rerender.ts';
import './midi.ts';
import './stems.ts';
