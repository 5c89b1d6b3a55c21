/**
 * Extend / continue: given an existing melody (our Score's lead track or a user's uploaded MIDI
 * melody), continue it for N more bars in the same key and style with the melody model.
 *
 * The existing notes become the primer (the model reads them, which sets its state), chords are
 * taken from the caller when known (a Score's chord spans) or estimated per bar as the diatonic triad
 * that best covers the bar's notes; the continuation repeats the last four bars' chords. The key,
 * when not given, is found with Krumhansl–Schmuckler on the melody.
 */
import midiPkg from '@tonejs/midi';
import { Scale } from 'tonal';
import { PPQ, type ScoreNote } from '../core/score.ts';
import type { MelodyConditioning, MelodyModel, StepChord } from './melodyModel.ts';
import { detectKey } from './metrics.ts';
import { STEP_HOLD, STEP_REST } from './representation.ts';

const { Midi } = midiPkg;

export interface ExtendOptions {
  /** The existing melody (monophonic is best; overlapping notes keep the highest onset). */
  notes: readonly ScoreNote[];
  ppq?: number;
  /** Bars to add (4/4, 16 steps a bar). */
  bars: number;
  keyTonicPc?: number;
  mode?: string;
  /** Per-step chords for the existing part and/or the continuation (absolute pitch classes). */
  chords?: (StepChord | null)[];
  conditioning?: Partial<MelodyConditioning>;
  seed: number;
  temperature?: number;
  topP?: number;
  scaleMask?: boolean;
}

export interface ExtendResult {
  /** The whole melody (existing + continuation) as steps: pitch / −1 hold / −2 rest. */
  steps: number[];
  /** Steps of the existing part (the continuation starts here, on a bar line). */
  primerSteps: number;
  keyTonicPc: number;
  mode: string;
  chords: (StepChord | null)[];
}

/** Notes → 16th-step grid, rounded up to whole bars. */
export function notesToGrid(notes: readonly ScoreNote[], ppq = PPQ): number[] {
  const step = ppq / 4;
  const end = Math.max(0, ...notes.map((n) => Math.round((n.tick + n.durationTicks) / step)));
  const len = Math.max(16, Math.ceil(end / 16) * 16);
  const grid: number[] = new Array(len).fill(STEP_REST);
  const sorted = [...notes].sort((a, b) => a.tick - b.tick || b.pitch - a.pitch);
  for (const n of sorted) {
    const a = Math.round(n.tick / step);
    if (a >= len || grid[a]! >= 0) continue;
    const e = Math.min(len, Math.max(a + 1, Math.round((n.tick + n.durationTicks) / step)));
    grid[a] = n.pitch;
    for (let s = a + 1; s < e && grid[s] === STEP_REST; s++) grid[s] = STEP_HOLD;
    // A later onset cuts a held note.
  }
  return grid;
}

/** Diatonic triads of a key: [rootPc, chroma]. */
function diatonicTriads(tonicPc: number, mode: string): StepChord[] {
  const chroma = Scale.get(`C ${mode}`).chroma || Scale.get('C major').chroma;
  const pcs = [...chroma].map((c, i) => (c === '1' ? i : -1)).filter((i) => i >= 0);
  return pcs.map((_, d) => {
    const tones = [0, 2, 4].map((k) => (pcs[(d + k) % pcs.length]! + tonicPc) % 12);
    const c = new Array<number>(12).fill(0);
    for (const t of tones) c[t] = 1;
    return { rootPc: tones[0]!, chroma: c };
  });
}

/** Per bar: the diatonic triad whose tones cover most of the bar's sounding duration (ties: tonic first). */
export function estimateChords(grid: readonly number[], tonicPc: number, mode: string): StepChord[] {
  const triads = diatonicTriads(tonicPc, mode);
  const out: StepChord[] = [];
  let sounding = -1;
  for (let bar = 0; bar < grid.length / 16; bar++) {
    const weight = new Array<number>(12).fill(0);
    for (let s = bar * 16; s < bar * 16 + 16; s++) {
      const v = grid[s]!;
      if (v >= 0) sounding = v;
      else if (v === STEP_REST) sounding = -1;
      if (sounding >= 0) weight[sounding % 12]! += s % 4 === 0 ? 2 : 1; // beats count double
    }
    let best = triads[0]!;
    let bestScore = -1;
    for (const t of triads) {
      const score = t.chroma.reduce((a, on, pc) => a + (on ? weight[pc]! : 0), 0);
      if (score > bestScore) {
        best = t;
        bestScore = score;
      }
    }
    for (let s = 0; s < 16; s++) out.push(best);
  }
  return out;
}

export async function extendMelody(model: MelodyModel, opts: ExtendOptions): Promise<ExtendResult> {
  const grid = notesToGrid(opts.notes, opts.ppq);
  let keyTonicPc = opts.keyTonicPc;
  let mode = opts.mode;
  if (keyTonicPc === undefined || mode === undefined) {
    const k = detectKey(opts.notes.map((n) => ({ pitch: n.pitch, duration: n.durationTicks })));
    keyTonicPc ??= k.tonicPc;
    mode ??= k.mode;
  }
  const total = grid.length + opts.bars * 16;
  let chords: (StepChord | null)[];
  if (opts.chords && opts.chords.length >= total) chords = opts.chords.slice(0, total);
  else {
    const known = opts.chords && opts.chords.length >= grid.length ? opts.chords.slice(0, grid.length) : estimateChords(grid, keyTonicPc, mode);
    const loop = known.slice(Math.max(0, known.length - 64));
    chords = [...known];
    while (chords.length < total) chords.push(loop[(chords.length - known.length) % loop.length] ?? null);
  }
  const pitches = opts.notes.map((n) => n.pitch);
  const mean = pitches.reduce((a, b) => a + b, 0) / Math.max(1, pitches.length);
  const thresholds = model.meta.conditioning;
  const bin = (v: number, t: number[]) => (v < t[0]! ? 0 : v < t[1]! ? 1 : 2);
  const notesPerBar = opts.notes.length / Math.max(1, grid.length / 16);
  const conditioning: MelodyConditioning = {
    mode,
    tempoBin: opts.conditioning?.tempoBin ?? 1,
    densityBin: opts.conditioning?.densityBin ?? bin(notesPerBar, thresholds.densityThresholds),
    registerBin: opts.conditioning?.registerBin ?? bin(mean, thresholds.registerThresholds),
    ...(opts.conditioning?.style ? { style: opts.conditioning.style } : {}),
  };
  const { steps } = await model.generate({
    chords,
    keyTonicPc,
    mode,
    conditioning,
    seed: opts.seed,
    primer: grid,
    ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
    ...(opts.topP !== undefined ? { topP: opts.topP } : {}),
    scaleMask: opts.scaleMask ?? true,
    lowestPitch: Math.min(...pitches, Math.round(mean) - 12),
    highestPitch: Math.max(...pitches, Math.round(mean) + 12),
  });
  return { steps, primerSteps: grid.length, keyTonicPc, mode, chords };
}

/** The melody of an uploaded MIDI file: the named track, else the monophonic-most pitched track with the highest mean pitch. */
export function melodyFromMidi(bytes: Uint8Array, trackName?: string): { notes: ScoreNote[]; bpm: number } {
  const midi = new Midi(bytes);
  const tracks = midi.tracks.filter((t) => t.notes.length > 0 && t.channel !== 9);
  if (!tracks.length) throw new Error('no pitched notes in this MIDI file');
  const named = trackName ? tracks.find((t) => t.name.toLowerCase() === trackName.toLowerCase()) : undefined;
  const score = (t: (typeof tracks)[number]) => {
    const onsets = new Set(t.notes.map((n) => n.ticks)).size / t.notes.length; // 1 = monophonic
    const mean = t.notes.reduce((a, n) => a + n.midi, 0) / t.notes.length;
    return onsets * 100 + mean;
  };
  const track = named ?? [...tracks].sort((a, b) => score(b) - score(a))[0]!;
  const scale = PPQ / midi.header.ppq;
  return {
    notes: track.notes.map((n) => ({ pitch: n.midi, tick: Math.round(n.ticks * scale), durationTicks: Math.max(1, Math.round(n.durationTicks * scale)), velocity: Math.round(n.velocity * 127) })),
    bpm: midi.header.tempos[0]?.bpm ?? 120,
  };
}
