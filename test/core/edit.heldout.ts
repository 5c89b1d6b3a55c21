/**
 * A second, smaller set of edits written after the parser existed and never tuned against: its
 * accuracy is printed next to the fixture's as an honest estimate for phrasings nobody planned
 * for. It has no pass mark of its own.
 */
import type { EditCase } from './edit.fixture.ts';

const c = (text: string, expect: EditCase['expect']): EditCase => ({ text, expect });

export const HELD_OUT_CASES: EditCase[] = [
  c('can you make it slower', { tempo: { scale: 0.85 } }),
  c('bit faster?', { tempo: { scale: 1.1 } }),
  c('slower slower', { tempo: { scale: 0.85 } }),
  c('speed up a lot', { tempo: { scale: 1.3 } }),
  c('120 bpm please', { tempo: { set: 120 } }),
  c('5 bpm slower', { tempo: { delta: -5 } }),
  c('way longer pls', { length: { scale: 3 } }),
  c('cut it to 20 seconds', { length: { set: 20 } }),
  c('make it longer and sadder', { length: { scale: 2 }, mood: 'sad' }),
  c('minor key pls', { mode: 'minor' }),
  c('in C major', { key: { tonic: 'C', mode: 'major' } }),
  c('down a semitone', { transpose: -1 }),
  c('more melancholic', { mood: 'sad' }),
  c('gloomier', { mood: 'sad' }),
  c('make it happy', { mood: 'happy' }),
  c('more epic 🔥', { mood: 'epic', energy: 'up' }),
  c('quieter and calmer', { energy: 'down', mood: 'calm' }),
  c('ambient version', { style: 'ambient' }),
  c('make it sound like synthwave', { style: 'synthwave' }),
  c('add a harp', { add: ['harp'] }),
  c('no more piano', { remove: ['piano'] }),
  c('take out the violin', { remove: ['violin'] }),
  c('switch the guitar to a flute', { swap: [{ from: 'guitar', to: 'flute' }] }),
  c('add flute and cello', { add: ['flute', 'cello'] }),
  c('get rid of the drums', { drums: false }),
  c('drums pls', { drums: true }),
  c('put drums in', { drums: true }),
  c('loop pls', { loop: true }),
  c("don't loop it", { loop: false }),
  c('mp3 please', { format: 'mp3' }),
  c('musescore', { soundfont: 'musescore' }),
  c('give me another one', { newSeed: true }),
  c('try again', { newSeed: true }),
  c('same but faster', { tempo: { scale: 1.15 } }),
  c('schneller und ohne Schlagzeug', { tempo: { scale: 1.15 }, drums: false }),
  c('más corto por favor', { length: { scale: 0.5 } }),
  c('plus triste', { mood: 'sad' }),
  c('slower 🐢🐢', { tempo: { scale: 0.85 } }),
  c('hmm', {}),
  c('nice!', {}),
];
