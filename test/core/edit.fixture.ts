/**
 * Edit instructions as people type them in a reply to a Tunesmith result, each with the exact
 * change of the request it asks for. Written before the parser was tuned against it.
 *
 * Conventions the expectations follow (documented in src/core/edit.ts):
 *  - tempo: "slower"/"faster" ×0.85/×1.15; a bit ×0.9/×1.1; much/way ×0.7/×1.3; "half speed" ×0.5,
 *    "twice as fast"/"double time" ×2; "N bpm faster" +N; "N%" ×(1±N/100); "N bpm" sets it.
 *  - length: "longer"/"shorter" ×2/×0.5; a bit ×1.5/×0.75; much ×3/×1/3; "N seconds longer" +N;
 *    "1 minute", "45 seconds", "1:30" set it.
 *  - key: "in D minor" sets tonic and mode; "in G" sets the tonic and keeps the mode; "minor"/
 *    "major"/"dorian" alone change the mode; "up a semitone" +1, "whole step" 2, "higher"/"lower" ±2.
 *  - mood comparatives ("darker", "sadder", "more epic") set the mood; energy words ("more
 *    energy", "louder", "tone it down") move the energy one step up or down.
 *  - instruments: "add X"/"with X"/"more X"/an instrument emoji add; "no X"/"without X"/"lose X"
 *    remove; "X instead of Y"/"replace Y with X"/"swap Y for X" swap; "on X"/"play it on X" swap the lead.
 *  - drums: "no drums"/"drop the beat"… off; "add drums"/"add a beat"/🥁 on.
 *  - "another"/"again"/"new one"/"reroll" ask for a new seed; "like this but …" keeps it;
 *    "more"/"even more" alone repeat the last change.
 *  - contradictions: the last one said wins; a negated comparative ("not faster") is no change.
 */
import type { EditChange } from '../../src/core/edit.ts';

export interface EditCase {
  text: string;
  expect: EditChange;
}

const c = (text: string, expect: EditChange): EditCase => ({ text, expect });

export const EDIT_CASES: EditCase[] = [
  // Tempo
  c('slower', { tempo: { scale: 0.85 } }),
  c('even slower', { tempo: { scale: 0.85 } }),
  c('a bit slower pls', { tempo: { scale: 0.9 } }),
  c('way slower', { tempo: { scale: 0.7 } }),
  c('faster!!', { tempo: { scale: 1.15 } }),
  c('slightly faster', { tempo: { scale: 1.1 } }),
  c('MUCH faster', { tempo: { scale: 1.3 } }),
  c('slowr', { tempo: { scale: 0.85 } }),
  c('fsater', { tempo: { scale: 1.15 } }),
  c('slooooower', { tempo: { scale: 0.85 } }),
  c('speed it up', { tempo: { scale: 1.15 } }),
  c('slow it down a little', { tempo: { scale: 0.9 } }),
  c('80 bpm', { tempo: { set: 80 } }),
  c('make it 140bpm', { tempo: { set: 140 } }),
  c('tempo 95 please', { tempo: { set: 95 } }),
  c('10 bpm faster', { tempo: { delta: 10 } }),
  c('20bpm slower', { tempo: { delta: -20 } }),
  c('half speed', { tempo: { scale: 0.5 } }),
  c('twice as fast', { tempo: { scale: 2 } }),
  c('double time', { tempo: { scale: 2 } }),
  c('10% slower', { tempo: { scale: 0.9 } }),
  c('🐢', { tempo: { scale: 0.85 } }),
  c('langsamer bitte', { tempo: { scale: 0.85 } }),
  c('más rápido', { tempo: { scale: 1.15 } }),
  c('plus lent', { tempo: { scale: 0.85 } }),
  c('un poco más lento', { tempo: { scale: 0.9 } }),
  c('ein bisschen schneller', { tempo: { scale: 1.1 } }),
  c('pick up the pace', { tempo: { scale: 1.15 } }),
  c('faster, no wait, slower', { tempo: { scale: 0.85 } }),
  c('slower... actually faster', { tempo: { scale: 1.15 } }),
  c('at 100 bpm', { tempo: { set: 100 } }),
  c('slower plz 🙏', { tempo: { scale: 0.85 } }),

  // Length
  c('longer', { length: { scale: 2 } }),
  c('twice as long', { length: { scale: 2 } }),
  c('a bit longer', { length: { scale: 1.5 } }),
  c('much longer', { length: { scale: 3 } }),
  c('shorter', { length: { scale: 0.5 } }),
  c('a little shorter', { length: { scale: 0.75 } }),
  c('half as long', { length: { scale: 0.5 } }),
  c('make it 1 minute', { length: { set: 60 } }),
  c('45 seconds', { length: { set: 45 } }),
  c('make it 2 min long', { length: { set: 120 } }),
  c('30 seconds longer', { length: { delta: 30 } }),
  c('10s shorter', { length: { delta: -10 } }),
  c('longre', { length: { scale: 2 } }),
  c('shoter pls', { length: { scale: 0.5 } }),
  c('länger', { length: { scale: 2 } }),
  c('más largo', { length: { scale: 2 } }),
  c('plus court', { length: { scale: 0.5 } }),
  c('kürzer', { length: { scale: 0.5 } }),
  c('extend it', { length: { scale: 2 } }),
  c('make it 1:30', { length: { set: 90 } }),
  c('double the length', { length: { scale: 2 } }),

  // Key, mode, transposition
  c('in D minor', { key: { tonic: 'D', mode: 'minor' } }),
  c('make it minor', { mode: 'minor' }),
  c('major key', { mode: 'major' }),
  c('in G', { key: { tonic: 'G' } }),
  c('up a semitone', { transpose: 1 }),
  c('down a whole step', { transpose: -2 }),
  c('up 3 semitones', { transpose: 3 }),
  c('transpose down 2', { transpose: -2 }),
  c('higher', { transpose: 2 }),
  c('lower key', { transpose: -2 }),
  c('key of Eb major', { key: { tonic: 'Eb', mode: 'major' } }),
  c('in F# minor plz', { key: { tonic: 'F#', mode: 'minor' } }),
  c('moll', { mode: 'minor' }),
  c('en menor', { mode: 'minor' }),
  c('dorian', { mode: 'dorian' }),
  c('a half step up', { transpose: 1 }),

  // Mood
  c('make it darker', { mood: 'dark' }),
  c('sadder', { mood: 'sad' }),
  c('happier', { mood: 'happy' }),
  c('more epic', { mood: 'epic' }),
  c('calmer', { mood: 'calm' }),
  c('more mysterious', { mood: 'mysterious' }),
  c('spookier', { mood: 'dark' }),
  c('happyer', { mood: 'happy' }),
  c('😢', { mood: 'sad' }),
  c('😄', { mood: 'happy' }),
  c('trauriger', { mood: 'sad' }),
  c('más triste', { mood: 'sad' }),
  c('plus joyeux', { mood: 'happy' }),
  c('more romantic', { mood: 'romantic' }),
  c('make it sad', { mood: 'sad' }),
  c('more chill', { mood: 'calm' }),
  c('more nostalgic', { mood: 'nostalgic' }),
  c('creepier', { mood: 'dark' }),
  c('sadder 😭', { mood: 'sad' }),
  c('more playful', { mood: 'playful' }),
  // Opposites (the catalog's Mood.opposite)
  c('less sad', { mood: 'happy' }),
  c('not so gloomy', { mood: 'happy' }),
  c('a bit less energetic', { mood: 'calm' }),
  c('make it less calm and slower', { mood: 'energetic', tempo: { scale: 0.85 } }),
  c('menos triste', { mood: 'happy' }),
  c('not so loud', { energy: 'down' }),
  c('less sparse', { energy: 'up' }),

  // Energy
  c('more energy', { energy: 'up' }),
  c('less intense', { energy: 'down' }),
  c('louder', { energy: 'up' }),
  c('quieter', { energy: 'down' }),
  c('tone it down', { energy: 'down' }),
  c('more punch', { energy: 'up' }),
  c('high energy', { energy: 'high' }),
  c('low energy', { energy: 'low' }),
  c('🔥🔥', { energy: 'up' }),
  c('more hype', { energy: 'up' }),
  c('softer', { energy: 'down' }),
  c('lauter', { energy: 'up' }),
  c('busier', { energy: 'up' }),

  // Style
  c('make it jazz', { style: 'jazz' }),
  c('jazzier', { style: 'jazz' }),
  c('as synthwave', { style: 'synthwave' }),
  c('more lofi', { style: 'lofi' }),
  c('rock version', { style: 'rock' }),
  c('lo-fi pls', { style: 'lofi' }),
  c('make it chiptune', { style: 'chiptune' }),
  c('synthwav', { style: 'synthwave' }),
  c('funkier', { style: 'funk' }),
  c('like this but jazz', { style: 'jazz' }),

  // Instruments
  c('add strings', { add: ['strings'] }),
  c('with a flute', { add: ['flute'] }),
  c('add sax and trumpet', { add: ['sax', 'trumpet'] }),
  c('no piano', { remove: ['piano'] }),
  c('without the strings', { remove: ['strings'] }),
  c('remove the flute', { remove: ['flute'] }),
  c('replace the piano with guitar', { swap: [{ from: 'piano', to: 'guitar' }] }),
  c('guitar instead of piano', { swap: [{ from: 'piano', to: 'guitar' }] }),
  c('swap piano for rhodes', { swap: [{ from: 'piano', to: 'rhodes' }] }),
  c('on guitar instead', { swap: [{ to: 'guitar' }] }),
  c('play it on cello', { swap: [{ to: 'cello' }] }),
  c('more strings', { add: ['strings'] }),
  c('🎻', { add: ['violin'] }),
  c('add 🎷', { add: ['sax'] }),
  c('mit Streichern', { add: ['strings'] }),
  c('con guitarra', { add: ['guitar'] }),
  c('sans piano', { remove: ['piano'] }),
  c('add violins', { add: ['violin'] }),
  c('addd strings', { add: ['strings'] }),
  c('add some choir', { add: ['choir'] }),
  c('lose the sax', { remove: ['sax'] }),
  c('strings instead of synth', { swap: [{ from: 'synth', to: 'strings' }] }),
  c('electric piano instead of piano', { swap: [{ from: 'piano', to: 'electric piano' }] }),
  c('add bass', { add: ['bass'] }),

  // Drums
  c('no drums', { drums: false }),
  c('without drums pls', { drums: false }),
  c('drop the drums', { drums: false }),
  c('add drums', { drums: true }),
  c('with drums', { drums: true }),
  c('ohne Schlagzeug', { drums: false }),
  c('sin batería', { drums: false }),
  c('sans batterie', { drums: false }),
  c('🥁', { drums: true }),
  c('no 🥁', { drums: false }),
  c('kill the beat', { drums: false }),
  c('add a beat', { drums: true }),
  c('drumless', { drums: false }),
  c('no drumz', { drums: false }),
  c('mit Schlagzeug', { drums: true }),

  // Loop
  c('loop it', { loop: true }),
  c('make it loop', { loop: true }),
  c('no loop', { loop: false }),
  c('seamless loop pls', { loop: true }),
  c('🔁', { loop: true }),
  c('give it an ending', { loop: false }),

  // Format and SoundFont
  c('as mp3', { format: 'mp3' }),
  c('mp3 pls', { format: 'mp3' }),
  c('wav', { format: 'wav' }),
  c('in ogg', { format: 'ogg' }),
  c('send it as .wav', { format: 'wav' }),
  c('with the musescore soundfont', { soundfont: 'musescore' }),
  c('timgm6mb', { soundfont: 'timgm6mb' }),
  c('use the default soundfont', { soundfont: 'fluidr3' }),
  c('als mp3', { format: 'mp3' }),
  c('en wav', { format: 'wav' }),

  // Another one / like this but
  c('another one', { newSeed: true }),
  c('another', { newSeed: true }),
  c('again', { newSeed: true }),
  c('new one pls', { newSeed: true }),
  c('reroll', { newSeed: true }),
  c('nochmal', { newSeed: true }),
  c('otra', { newSeed: true }),
  c('encore une', { newSeed: true }),
  c('another like this but happier', { newSeed: true, mood: 'happy' }),
  c('like this but sadder', { mood: 'sad' }),
  c('like this but with strings', { add: ['strings'] }),
  c('another one but faster', { newSeed: true, tempo: { scale: 1.15 } }),

  // Repeat the last change
  c('more', { repeat: true }),
  c('even more', { repeat: true }),
  c('moar', { repeat: true }),

  // Several changes in one message
  c('slower and longer', { tempo: { scale: 0.85 }, length: { scale: 2 } }),
  c('sadder, slower, no drums', { mood: 'sad', tempo: { scale: 0.85 }, drums: false }),
  c('faster + add strings + as mp3', { tempo: { scale: 1.15 }, add: ['strings'], format: 'mp3' }),
  c('make it darker and add a cello', { mood: 'dark', add: ['cello'] }),
  c('twice as long and in A minor', { length: { scale: 2 }, key: { tonic: 'A', mode: 'minor' } }),
  c('slower, with piano, loop it', { tempo: { scale: 0.85 }, add: ['piano'], loop: true }),
  c('más lento y sin batería', { tempo: { scale: 0.85 }, drums: false }),
  c('plus rapide et plus long', { tempo: { scale: 1.15 }, length: { scale: 2 } }),
  c('langsamer und trauriger', { tempo: { scale: 0.85 }, mood: 'sad' }),
  c('happier but not faster', { mood: 'happy' }),
  c('no drums, actually keep the drums', { drums: true }),
  c('add drums no wait no drums', { drums: false }),
  c('90 bpm, jazz, as wav', { tempo: { set: 90 }, style: 'jazz', format: 'wav' }),
  c('shorter and happier pls 🙏', { length: { scale: 0.5 }, mood: 'happy' }),
  c('lofi version with rhodes, slower', { style: 'lofi', add: ['rhodes'], tempo: { scale: 0.85 } }),
  c('darker, minor, no piano', { mood: 'dark', mode: 'minor', remove: ['piano'] }),
  c('1 min, loop, mp3', { length: { set: 60 }, loop: true, format: 'mp3' }),
  c('a bit faster and a bit shorter', { tempo: { scale: 1.1 }, length: { scale: 0.75 } }),
  c('no drums and no piano', { drums: false, remove: ['piano'] }),
  c('happier 😄 and faster 🐇', { mood: 'happy', tempo: { scale: 1.15 } }),

  // Nothing understood
  c('asdkjh qwpoeiru', {}),
  c('banana', {}),
  c('lol', {}),
  c('what', {}),
  c('👍', {}),
  c('idk something', {}),
];
