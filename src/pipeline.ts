/**
 * The whole job, stage by stage: request → score → MIDI → picture → audio. Shared by the CLI,
 * the queue worker and the bot, so every caller reports the same progress and timings.
 */
import { compose } from './core/compose.ts';
import { composeKitPart, planKit } from './core/kit.ts';
import type { MelodyGenerator } from './core/generator.ts';
import type { Plan } from './core/plan/plan.ts';
import type { AudioFormat, CompositionRequest } from './core/request.ts';
import type { Score } from './core/score.ts';
import { scoreToMidi, type MidiOutput } from './midi/scoreToMidi.ts';
import { renderPianoRoll } from './pianoroll/pianoRoll.ts';
import { renderAudio, type RenderResult } from './render/render.ts';
import { checkRenderSetup } from './render/tools.ts';
import { defaultMelodyGenerator } from './neural/defaultGenerator.ts';
import { addLoopPoints } from './provenance/containers.ts';
import { instanceKey, type InstanceKey } from './provenance/keys.ts';
import type { Manifest, Recipe } from './provenance/manifest.ts';
import { signFiles } from './provenance/sign.ts';
import { SAMPLE_RATE } from './render/synth.ts';

export type Stage = 'composing' | 'midi' | 'picture' | 'rendering' | 'done';

export interface PieceProgress {
  stage: Stage;
  /** 0–1 over the whole job. */
  fraction: number;
}

export interface PieceOptions {
  format?: AudioFormat;
  soundfont?: string;
  generator?: MelodyGenerator;
  /** Skip the audio stage (score, MIDI and picture only). */
  skipAudio?: boolean;
  onProgress?: (progress: PieceProgress) => void;
  /** Aborts the render (and kills its processes) when signalled. */
  signal?: AbortSignal;
  /** Sign the files with this key (default: the instance key in the data folder); false: unsigned. */
  sign?: InstanceKey | false;
}

export interface Piece {
  score: Score;
  plan: Plan;
  /** The MIDI file as delivered (with the signed manifest unless signing was off). */
  midi: Uint8Array;
  png: Buffer;
  /** The audio as delivered: loop points and the signed manifest in its tags. */
  audio?: RenderResult;
  /** The signed manifest both files carry (absent when signing was off). */
  manifest?: Manifest;
  /** Milliseconds per stage. */
  timings: Record<Exclude<Stage, 'done'>, number>;
}

// Rough share of wall time per stage, so one progress bar moves evenly.
const WEIGHT = { composing: 0.05, midi: 0.01, picture: 0.04, rendering: 0.9 } as const;

/**
 * A score's audio: loops render from a copy with their last bars as pre-roll (cut again), so the
 * seam carries its real tail; everything else renders from the MIDI as written.
 */
export function renderScoreAudio(score: Score, midi: MidiOutput, opts: Pick<PieceOptions, 'format' | 'soundfont' | 'signal'>): Promise<RenderResult> {
  const forRender = score.meta.loop ? scoreToMidi(score, { loopPreRoll: true }) : midi;
  return renderAudio({
    midi: forRender.bytes,
    trimStartSec: forRender.trimStartSec,
    durationSec: score.durationSec,
    loop: score.meta.loop,
    format: opts.format ?? 'ogg',
    soundfont: opts.soundfont,
    tags: { title: score.meta.title, style: score.meta.style, mood: score.meta.mood, seed: String(score.meta.seed) },
    signal: opts.signal,
  });
}

export async function createPiece(request: CompositionRequest, options: PieceOptions = {}): Promise<Piece> {
  const report = options.onProgress ?? (() => {});
  const timings = { composing: 0, midi: 0, picture: 0, rendering: 0 };
  const timed = async <T>(stage: keyof typeof timings, before: number, work: () => T | Promise<T>): Promise<T> => {
    report({ stage, fraction: before });
    const start = performance.now();
    const result = await work();
    timings[stage] = performance.now() - start;
    return result;
  };

  options.signal?.throwIfAborted();
  // A bad SoundFont or a missing tool fails now, not after the piece is composed (cached per process).
  if (!options.skipAudio) await checkRenderSetup(options.soundfont);
  const generator = options.generator ?? (await defaultMelodyGenerator());
  const { score, plan } = await timed('composing', 0, () => compose(request, generator));
  const midi = await timed('midi', WEIGHT.composing, () => scoreToMidi(score));
  const png = await timed('picture', WEIGHT.composing + WEIGHT.midi, () => renderPianoRoll(score));
  let audio: RenderResult | undefined;
  if (!options.skipAudio) {
    audio = await timed('rendering', 1 - WEIGHT.rendering, () => renderScoreAudio(score, midi, options));
  }
  const signed = await signPiece(score, midi.bytes, audio, { recipe: { kind: 'compose', request }, content: 'mix', sign: options.sign, png });
  report({ stage: 'done', fraction: 1 });
  return { score, plan, midi: signed.midi, png: signed.png ?? png, audio: signed.audio, manifest: signed.manifest, timings };
}

/** A loop's points in the audio: the whole file, start to end (a loop's audio is exactly its loop). */
export function loopPointsOf(score: Score) {
  return score.meta.loop ? { startFrame: 0, lengthFrames: Math.round(score.durationSec * SAMPLE_RATE) } : undefined;
}

/**
 * The delivered files: loop points into a loop's tags, then one signed manifest into the audio's
 * tags and the MIDI (provenance/). Recipe: how the verifier can make the MIDI again.
 */
export async function signPiece(
  score: Score,
  midi: Uint8Array,
  audio: RenderResult | undefined,
  opts: { recipe: Recipe; content: string; sign?: InstanceKey | false; png?: Buffer },
): Promise<{ midi: Uint8Array; audio?: RenderResult; manifest?: Manifest; png?: Buffer }> {
  const loop = loopPointsOf(score);
  if (opts.sign === false) {
    return { midi, audio: audio && loop ? { ...audio, data: addLoopPoints(audio.format, audio.data, loop) } : audio, png: opts.png };
  }
  const key = opts.sign ?? (await instanceKey());
  const signed = signFiles({ key, recipe: opts.recipe, seed: score.meta.seed, generator: score.meta.generator, content: opts.content, midi, audio: audio && { data: audio.data, format: audio.format }, png: opts.png, loop });
  return { midi: signed.midi, audio: audio && { ...audio, data: signed.audio! }, manifest: signed.manifest, png: signed.png };
}

/** The MIDI bytes a recipe composes to (for verification); null for recipes that cannot be recomposed alone. */
export async function recomposeMidi(recipe: Recipe, generator?: MelodyGenerator): Promise<Uint8Array | null> {
  if (recipe.kind === 'kit') return scoreToMidi(await composeKitPart(planKit(recipe.kit), recipe.part, generator ?? (await defaultMelodyGenerator()))).bytes;
  if (recipe.kind !== 'compose') return null;
  const { score } = await compose(recipe.request, generator ?? (await defaultMelodyGenerator()));
  return scoreToMidi(score).bytes;
}
