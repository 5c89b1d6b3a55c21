/**
 * The whole job, stage by stage: request → score → MIDI → picture → audio. Shared by the CLI,
 * the queue worker and the bot, so every caller reports the same progress and timings.
 */
import { compose } from './core/compose.ts';
import type { MelodyGenerator } from './core/generator.ts';
import type { Plan } from './core/plan/plan.ts';
import type { AudioFormat, CompositionRequest } from './core/request.ts';
import type { Score } from './core/score.ts';
import { scoreToMidi, type MidiOutput } from './midi/scoreToMidi.ts';
import { renderPianoRoll } from './pianoroll/pianoRoll.ts';
import { renderAudio, type RenderResult } from './render/render.ts';
import { checkRenderSetup } from './render/tools.ts';
import { defaultMelodyGenerator } from './neural/defaultGenerator.ts';

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
}

export interface Piece {
  score: Score;
  plan: Plan;
  midi: Uint8Array;
  png: Buffer;
  audio?: RenderResult;
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
  report({ stage: 'done', fraction: 1 });
  return { score, plan, midi: midi.bytes, png, audio, timings };
}
