/** Imports every component module so each registers its handler (see ./index.ts). */
export {};
