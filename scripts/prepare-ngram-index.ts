/**
 * Builds models/melody/ngram16.bin, the originality index: hashes of every 16-note window
 * (intervals + inter-onset times) of every POP909 melody in data/melody (all splits).
 *
 *   npm run prepare-data && npx tsx scripts/prepare-ngram-index.ts
 */
import { writeFileSync } from 'node:fs';
import { loadSplit } from '../src/neural/dataset.ts';
import { COPY_LIMIT, DEFAULT_INDEX_PATH, NgramIndex, notesFromTokens, windowHashes } from '../src/neural/originality.ts';

const hashes: number[] = [];
for (const split of ['train', 'valid', 'test'] as const)
  for (const p of loadSplit(split)) hashes.push(...windowHashes(notesFromTokens(p.tokens), COPY_LIMIT));
const index = NgramIndex.fromHashes(COPY_LIMIT, hashes);
writeFileSync(DEFAULT_INDEX_PATH, index.toBuffer());
console.log(`${hashes.length} windows, ${index.size} distinct hashes → ${DEFAULT_INDEX_PATH} (${(index.size * 4) / 1024} KiB)`);
