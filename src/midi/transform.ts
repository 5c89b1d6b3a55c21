/**
 * Re-render transforms: the same notes with a new tempo, key or instruments — nothing is
 * composed again. Pure functions on a Score (from src/midi/transformSource.ts), so the queue
 * worker and the bot's menus agree on what a choice does:
 *   - tempo: the tempo is scaled and every note keeps its place in the bar, so the piece gets
 *     shorter or longer by the same factor (the reply says so);
 *   - key: every pitched note moves by the same interval (the smaller way round, −6…+5
 *     semitones); drums are untouched;
 *   - instruments: a preset gives each role (lead, chords, bass, pad, arpeggio) a GM program.
 */
import { Note } from 'tonal';
import { formatKey, isMinorish, tonicPitchClass } from '../core/keys.ts';
import { CompositionRequestSchema, LIMITS, type CompositionRequest } from '../core/request.ts';
import { DRUM_CHANNEL, type KeySignature, type Role, type Score } from '../core/score.ts';
import { GM_PROGRAM_NAMES } from '../core/catalog/instruments.ts';
import type { Transform } from '../queue/jobs.ts';

export interface InstrumentPreset {
  id: string;
  label: string;
  description: string;
  programs: Partial<Record<Exclude<Role, 'drums'>, number>>;
}

/** GM programs (0-based): 0 piano, 4 e-piano, 24 nylon guitar, 33 finger bass, 48 strings, 80 square lead… */
export const INSTRUMENT_PRESETS: readonly InstrumentPreset[] = [
  { id: 'piano', label: 'Piano', description: 'Grand piano for melody and chords', programs: { lead: 0, harmony: 0, bass: 32, pad: 48, arp: 0 } },
  { id: 'orchestra', label: 'Orchestra', description: 'Flute, strings, cello, harp', programs: { lead: 73, harmony: 48, bass: 42, pad: 49, arp: 46 } },
  { id: 'band', label: 'Band', description: 'Guitar, electric piano, bass guitar, organ', programs: { lead: 26, harmony: 4, bass: 33, pad: 16, arp: 24 } },
  { id: 'synth', label: 'Synth', description: 'Saw lead, poly synth, synth bass, warm pad', programs: { lead: 81, harmony: 90, bass: 38, pad: 89, arp: 81 } },
  { id: 'chiptune', label: 'Chiptune', description: 'Square waves like an old console', programs: { lead: 80, harmony: 80, bass: 38, pad: 80, arp: 80 } },
  { id: 'jazz', label: 'Jazz combo', description: 'Vibraphone, electric piano, upright bass', programs: { lead: 11, harmony: 4, bass: 32, pad: 19, arp: 11 } },
];

export function presetById(id: string | undefined): InstrumentPreset | undefined {
  return id ? INSTRUMENT_PRESETS.find((p) => p.id === id) : undefined;
}

/** Tonic spellings a key signature would use, by pitch class. */
const MAJOR_SPELLING = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];
const MINOR_SPELLING = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'G#', 'A', 'Bb', 'B'];

export function spellTonic(pc: number, mode: string): string {
  return (isMinorish(mode) ? MINOR_SPELLING : MAJOR_SPELLING)[((pc % 12) + 12) % 12]!;
}

/** The shift from one key to another the short way round: −6…+5 semitones. */
export function semitonesBetween(from: KeySignature, to: KeySignature): number {
  const up = (((tonicPitchClass(to) - tonicPitchClass(from)) % 12) + 12) % 12;
  return up >= 6 ? up - 12 : up;
}

export function transposeKey(key: KeySignature, semitones: number): KeySignature {
  return { tonic: spellTonic(tonicPitchClass(key) + semitones, key.mode), mode: key.mode };
}

/** "Am7" up 2 → "Bm7"; the root (and a slash bass) respelled for the new key. */
function transposeChordSymbol(symbol: string, semitones: number, key: KeySignature): string {
  const move = (name: string) => {
    const m = /^([A-G][#b]*)(.*)$/.exec(name);
    const pc = m ? Note.chroma(m[1]!) : undefined;
    return m && pc !== undefined && !Number.isNaN(pc) ? spellTonic(pc + semitones, key.mode) + m[2] : name;
  };
  return symbol.split('/').map(move).join('/');
}

/** Keep a pitch playable: octaves back into 0–127 rather than a wrong note. */
function clampPitch(pitch: number): number {
  let p = pitch;
  while (p > 127) p -= 12;
  while (p < 0) p += 12;
  return p;
}

/** Tempo in 0.01 bpm, as the planner writes it. */
export function scaledBpm(bpm: number, tempoScale: number, loop: boolean): number {
  // A loop's tempo is whatever fits its bars into its length; rounding it would break the seam.
  return loop ? bpm * tempoScale : Math.round(bpm * tempoScale * 100) / 100;
}

/** A layer's track is named after the role it doubles, so a re-read MIDI file knows its role. */
export const LAYER_SUFFIX = ' layer';
const ROLE_TRACK: Record<Exclude<Role, 'drums' | 'perc'>, string> = { lead: 'Lead', harmony: 'Chords', bass: 'Bass', pad: 'Pad', arp: 'Arpeggio' };
export function layerTrackName(role: Exclude<Role, 'drums' | 'perc'>): string {
  return `${ROLE_TRACK[role]}${LAYER_SUFFIX}`;
}

export function rerenderScore(source: Score, transform: Transform): Score {
  const bpm = scaledBpm(source.bpm, transform.tempoScale, source.meta.loop);
  const durationSec = (source.durationSec * source.bpm) / bpm;
  const key = transform.transpose ? transposeKey(source.key, transform.transpose) : source.key;
  const preset = presetById(transform.instruments);
  if (transform.instruments && !preset) throw new RangeError(`unknown instrument preset ${transform.instruments}`);
  const dropped = new Set(transform.drop ?? []);
  const tracks = source.tracks.filter((track) => !dropped.has(track.role)).map((track) => {
    if (track.role === 'drums') return { ...track, notes: track.notes.map((n) => ({ ...n })) };
    const role = track.role as Exclude<Role, 'drums'>;
    const program = (role !== 'perc' ? transform.programs?.[role] : undefined) ?? preset?.programs[role] ?? track.program;
    const notes = track.notes.map((n) => ({ ...n, pitch: clampPitch(n.pitch + transform.transpose) }));
    return { ...track, program, notes };
  });
  // Layers double a role's notes on another instrument, on channels no track uses.
  const used = new Set(tracks.map((t) => t.channel));
  for (const layer of transform.layers ?? []) {
    const doubled = tracks.find((t) => t.role === layer.role && !t.name.endsWith(LAYER_SUFFIX));
    if (!doubled) continue;
    let channel = 0;
    while (used.has(channel) || channel === DRUM_CHANNEL) channel++;
    if (channel > 15) break;
    used.add(channel);
    const mix = doubled.mix ? { ...doubled.mix, volume: Math.round(doubled.mix.volume * 0.8) } : undefined;
    tracks.push({ ...doubled, name: layerTrackName(layer.role), program: layer.program, channel, notes: doubled.notes.map((n) => ({ ...n })), ...(mix ? { mix } : {}) });
  }
  if (!tracks.some((t) => t.notes.length > 0)) throw new RangeError('that would leave no instrument playing');
  const oldKey = formatKey(source.key);
  const title = key === source.key ? source.meta.title : source.meta.title.replace(new RegExp(` in ${oldKey}$`), ` in ${formatKey(key)}`);
  const request = JSON.parse(source.meta.requestJson) as CompositionRequest;
  return {
    ...source,
    bpm,
    durationSec,
    key,
    tracks,
    chords: source.chords.map((c) => ({ ...c, symbol: transposeChordSymbol(c.symbol, transform.transpose, key) })),
    sections: source.sections.map((s) => ({ ...s })),
    meta: { ...source.meta, title, requestJson: JSON.stringify(rerenderRequest(request, { bpm: source.bpm, durationSec: source.durationSec, key: source.key }, transform)) },
  };
}

export interface SourceShape {
  bpm: number;
  durationSec: number;
  key: KeySignature;
}

/**
 * The request a re-rendered piece answers: its real tempo, key and length. Used for the new
 * result's summary and MIDI text, and by the Variation button under it. Throws a RangeError
 * when the result would leave the request limits (the menus only offer choices inside them).
 */
export function rerenderRequest(request: CompositionRequest, source: SourceShape, transform: Transform): CompositionRequest {
  const bpm = scaledBpm(source.bpm, transform.tempoScale, request.loop);
  const durationSec = (source.durationSec * source.bpm) / bpm;
  if (bpm < LIMITS.tempo.min || bpm > LIMITS.tempo.max) throw new RangeError(`a tempo of ${bpm.toFixed(0)} bpm is outside ${LIMITS.tempo.min}–${LIMITS.tempo.max}`);
  if (durationSec > LIMITS.duration.max || durationSec < LIMITS.duration.min) throw new RangeError(`a length of ${durationSec.toFixed(1)} s is outside ${LIMITS.duration.min}–${LIMITS.duration.max} s`);
  const key = transform.transpose ? transposeKey(source.key, transform.transpose) : source.key;
  return CompositionRequestSchema.parse({ ...request, tempo: bpm, durationSec, key });
}

const mmss = (s: number) => {
  const whole = Math.floor(s);
  const tenths = Math.round((s - whole) * 10);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}${tenths && tenths < 10 ? `.${tenths}` : ''}`;
};

export function formatLength(seconds: number): string {
  return mmss(seconds);
}

/** What a re-render did, in words, for the reply ("tempo 80% (96 bpm), so it now lasts 0:07.5 …"). */
export function describeRerender(source: { title: string; bpm: number; durationSec: number; key: KeySignature; soundfont?: string }, transform: Transform, soundfont?: string): string {
  const parts: string[] = [];
  if (transform.tempoScale !== 1) {
    const bpm = scaledBpm(source.bpm, transform.tempoScale, false);
    const length = (source.durationSec * source.bpm) / bpm;
    parts.push(`tempo ${Math.round(transform.tempoScale * 100)}% (${Number(bpm.toFixed(2))} bpm), so it now lasts ${mmss(length)} instead of ${mmss(source.durationSec)}`);
  }
  if (transform.transpose) parts.push(`key ${formatKey(transposeKey(source.key, transform.transpose))} (${transform.transpose > 0 ? '+' : ''}${transform.transpose} semitones, drums unchanged)`);
  const preset = presetById(transform.instruments);
  if (preset) parts.push(`instruments: ${preset.label}`);
  const gm = (program: number) => GM_PROGRAM_NAMES[program] ?? `program ${program}`;
  for (const [role, program] of Object.entries(transform.programs ?? {})) parts.push(`${role} on ${gm(program)}`);
  for (const layer of transform.layers ?? []) parts.push(`${gm(layer.program)} added, doubling the ${layer.role}`);
  if (transform.drop?.length) parts.push(`without ${transform.drop.join(', ')}`);
  if (soundfont && soundfont !== source.soundfont) parts.push(`SoundFont ${soundfont}`);
  return `🎛️ Re-rendered from “${source.title}” with the same notes (nothing composed again): ${parts.join('; ') || 'no changes'}.`;
}
