/**
 * Stems: each track of a piece (lead, chords, bass, pad, arp, percussion, drums) rendered on its
 * own as WAV, with the mix's own gains (render.ts `mixing`) and the same length, so that they line
 * up sample for sample and sum back to the mix. Each stem is signed (its manifest says which
 * stem), and the set travels as one zip with the signed mix, the MIDI and `stems.json`.
 *
 * Where the mix's safety limiter turned a peak down, the stems take the same gain change
 * (followMixLimiter). The residual (how far the sum of the stems is from the mix) is measured on
 * every set and recorded in stems.json.
 */
import { zipSync } from 'fflate';
import type { Role, Score } from './core/score.ts';
import { scoreToMidi } from './midi/scoreToMidi.ts';
import { signPiece } from './pipeline.ts';
import { wavData } from './provenance/containers.ts';
import type { InstanceKey } from './provenance/keys.ts';
import type { Recipe } from './provenance/manifest.ts';
import { renderAudio, type RenderResult } from './render/render.ts';

export const STEM_NAMES: Record<Role, string> = { lead: 'lead', harmony: 'chords', bass: 'bass', pad: 'pad', arp: 'arp', perc: 'percussion', drums: 'drums' };

export interface Stem {
  name: string;
  role: Role;
  /** Signed WAV. */
  data: Buffer;
}

export interface StemSet {
  mix: Buffer;
  midi: Uint8Array;
  stems: Stem[];
  /** Energy of (mix − Σ stems) over the mix's, dB. */
  residualDb: number;
  /** Milliseconds where the mix's safety limiter turned a peak down, and the stems followed (followMixLimiter). */
  limitedMs: number;
  durationSec: number;
}

export interface StemOptions {
  recipe: Recipe;
  soundfont?: string;
  signal?: AbortSignal;
  sign?: InstanceKey | false;
  onProgress?: (done: number, total: number) => void;
}

/** Loops render from their pre-roll form, as the mix does (pipeline.renderScoreAudio). */
function renderOf(score: Score, opts: StemOptions, extra: { mixing?: RenderResult['mixing'] } = {}): Promise<RenderResult> {
  const midi = scoreToMidi(score, { loopPreRoll: score.meta.loop });
  return renderAudio({
    midi: midi.bytes,
    trimStartSec: midi.trimStartSec,
    durationSec: score.durationSec,
    loop: score.meta.loop,
    format: 'wav',
    soundfont: opts.soundfont,
    tags: { title: score.meta.title, style: score.meta.style, mood: score.meta.mood, seed: String(score.meta.seed) },
    signal: opts.signal,
    parallel: false,
    ...extra,
  });
}

export async function renderStems(score: Score, opts: StemOptions): Promise<StemSet> {
  const tracks = score.tracks.filter((t) => t.notes.length > 0);
  const total = tracks.length + 1;
  const mix = await renderOf(score, opts);
  opts.onProgress?.(1, total);
  const stems: { name: string; role: Role; render: RenderResult; score: Score }[] = [];
  const used = new Map<string, number>();
  for (const track of tracks) {
    const base = STEM_NAMES[track.role];
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    const stemScore: Score = { ...score, tracks: [track] };
    stems.push({ name: n > 1 ? `${base}-${n}` : base, role: track.role, render: await renderOf(stemScore, opts, { mixing: mix.mixing }), score: stemScore });
    opts.onProgress?.(stems.length + 1, total);
  }
  const limited = followMixLimiter(samples(wavData(mix.data)), stems.map((s) => samples(wavData(s.render.data))));
  const residualDb = residual(wavData(mix.data), stems.map((s) => wavData(s.render.data)));
  const midi = scoreToMidi(score).bytes;
  const signedMix = await signPiece(score, midi, mix, { recipe: opts.recipe, content: 'mix (WAV, for stems)', sign: opts.sign });
  const signedStems: Stem[] = [];
  for (const s of stems) {
    const signed = await signPiece(score, midi, s.render, { recipe: opts.recipe, content: `stem: ${s.name}`, sign: opts.sign });
    signedStems.push({ name: s.name, role: s.role, data: Buffer.from(signed.audio!.data) });
  }
  return { mix: Buffer.from(signedMix.audio!.data), midi: signedMix.midi, stems: signedStems, residualDb, limitedMs: limited, durationSec: score.durationSec };
}

/** s16 samples viewed in place (a WAV's data chunk starts at an even offset; copied if not). */
function samples(pcm: Buffer): Int16Array {
  if (pcm.byteOffset % 2 === 0) return new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
  throw new Error('a WAV data chunk at an odd offset');
}

/** Frames per step of the limiter's measured gain: 1 ms. */
const LIMITER_STEP = 48;

/**
 * The mix's safety limiter (the encoder's alimiter, after the master EQ) turns down the few peaks
 * the master plan left over the ceiling. That is a gain on the mix, so the stems take it too:
 * per millisecond, the gain g that best maps the sum of the stems onto the mix (least squares),
 * where it is a cut (0.3 ≤ g < 0.999), linear between steps, applied to every stem in place.
 * Nowhere else are the stems touched: a stem left out, or anything else the stems lack, is not
 * made up for (g never rises above 1). Returns the milliseconds where it acted.
 */
export function followMixLimiter(mix: Int16Array, stems: Int16Array[]): number {
  const n = mix.length;
  const steps = Math.ceil(n / 2 / LIMITER_STEP);
  const gains = new Float64Array(steps).fill(1);
  let limited = 0;
  for (let k = 0; k < steps; k++) {
    let a = 0;
    let b = 0;
    for (let i = k * LIMITER_STEP * 2; i < Math.min(n, (k + 1) * LIMITER_STEP * 2); i++) {
      let sum = 0;
      for (const x of stems) sum += x[i]!;
      a += mix[i]! * sum;
      b += sum * sum;
    }
    const g = b > 0 ? a / b : 1;
    if (g >= 0.3 && g < 0.999) {
      gains[k] = g;
      limited++;
    }
  }
  if (!limited) return 0;
  for (let i = 0; i < n; i++) {
    const at = i / 2 / LIMITER_STEP - 0.5;
    const k0 = Math.min(steps - 1, Math.max(0, Math.floor(at)));
    const k1 = Math.min(steps - 1, k0 + 1);
    const f = Math.min(1, Math.max(0, at - k0));
    const g = gains[k0]! * (1 - f) + gains[k1]! * f;
    if (g < 1) for (const x of stems) x[i] = Math.round(x[i]! * g);
  }
  return limited;
}

/** 10·log10(Σ(mix − Σ stems)² / Σ mix²) over every sample of s16 PCM. */
export function residual(mix: Buffer, stems: Buffer[]): number {
  const m = new Int16Array(Buffer.from(mix).buffer, 0, mix.length / 2);
  const s = stems.map((b) => new Int16Array(Buffer.from(b).buffer, 0, b.length / 2));
  let err = 0;
  let energy = 0;
  for (let i = 0; i < m.length; i++) {
    let sum = 0;
    for (const x of s) sum += x[i] ?? 0;
    err += (m[i]! - sum) ** 2;
    energy += m[i]! ** 2;
  }
  return energy === 0 ? -Infinity : 10 * Math.log10(err / energy);
}

/** The zip: `<base>-mix.wav`, `stems/<base>-<stem>.wav`, `<base>.mid` and `stems.json`. Deterministic for the same files. */
export function stemsZip(set: StemSet, base: string): Buffer {
  const mtime = new Date('2000-01-01T00:00:00Z');
  const info = {
    durationSec: set.durationSec,
    sampleRate: 48_000,
    format: 'WAV, 16-bit stereo',
    residualDb: Number(set.residualDb.toFixed(1)),
    limiterFollowedMs: set.limitedMs,
    note: 'Every stem has the mix’s gain and its exact length: place them all at 0:00 and they sum to the mix.',
    stems: set.stems.map((s) => ({ name: s.name, role: s.role, file: `stems/${base}-${s.name}.wav` })),
  };
  const files: Record<string, [Uint8Array, { level: 0 | 6; mtime: Date }]> = {
    [`${base}-mix.wav`]: [set.mix, { level: 6, mtime }],
    [`${base}.mid`]: [set.midi, { level: 6, mtime }],
    'stems.json': [Buffer.from(`${JSON.stringify(info, null, 2)}\n`), { level: 6, mtime }],
  };
  for (const s of set.stems) files[`stems/${base}-${s.name}.wav`] = [s.data, { level: 6, mtime }];
  return Buffer.from(zipSync(files));
}
