/**
 * The work of a derived job (re-render or extend): read the source piece's MIDI back into a
 * Score, transform it, and make the MIDI, piano roll and audio of the result — the stages of
 * src/pipeline.ts after composing, with the same progress reporting and timings.
 */
import { ExtendError, extendScore } from '../core/extend.ts';
import type { MelodyGenerator } from '../core/generator.ts';
import type { CompositionRequest } from '../core/request.ts';
import type { Score } from '../core/score.ts';
import { renderPianoRoll } from '../pianoroll/pianoRoll.ts';
import { renderScoreAudio, signPiece, type PieceOptions, type PieceProgress } from '../pipeline.ts';
import type { RenderResult } from '../render/render.ts';
import type { Transform } from '../queue/jobs.ts';
import type { PieceSource } from '../queue/resultStore.ts';
import { scoreToMidi } from './scoreToMidi.ts';
import { describeRerender, formatLength, rerenderScore } from './transform.ts';
import { midiToScore, SourceMidiError } from './transformSource.ts';
import { defaultMelodyGenerator } from '../neural/defaultGenerator.ts';

/** A derived job that cannot be done as asked; `message` is for the user, and retrying will not help. */
export class DerivedPieceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerivedPieceError';
  }
}

export interface DerivedPiece {
  score: Score;
  request: CompositionRequest;
  midi: Uint8Array;
  png: Buffer;
  audio: RenderResult;
  /** What was done to which piece, for the reply. */
  derivation: string;
  timings: Record<'composing' | 'midi' | 'picture' | 'rendering', number>;
}

export type DeriveSpec = { kind: 'rerender'; transform: Transform } | { kind: 'extend'; durationSec: number };

export interface DeriveOptions extends Pick<PieceOptions, 'format' | 'soundfont' | 'signal' | 'onProgress' | 'sign'> {
  generator?: MelodyGenerator;
}

function sourceScore(source: PieceSource): Score {
  try {
    return midiToScore(source.midi);
  } catch (error) {
    if (error instanceof SourceMidiError) throw new DerivedPieceError(`I couldn't read the piece to build on: ${error.message}`);
    throw error;
  }
}

export async function derivePiece(source: PieceSource, spec: DeriveSpec, opts: DeriveOptions = {}): Promise<DerivedPiece> {
  const report = opts.onProgress ?? ((_: PieceProgress) => {});
  const timings = { composing: 0, midi: 0, picture: 0, rendering: 0 };
  opts.signal?.throwIfAborted();
  report({ stage: 'composing', fraction: 0 });
  const started = performance.now();
  const from = sourceScore(source);
  let score: Score;
  let derivation: string;
  try {
    if (spec.kind === 'rerender') {
      score = rerenderScore(from, spec.transform);
      derivation = describeRerender({ title: from.meta.title, bpm: from.bpm, durationSec: from.durationSec, key: from.key, soundfont: source.render.soundfont }, spec.transform, opts.soundfont);
    } else {
      const extended = await extendScore(from, spec.durationSec, opts.generator ?? (await defaultMelodyGenerator()));
      score = extended.score;
      derivation = `➕ Extended “${from.meta.title}” from ${formatLength(from.durationSec)} to ${formatLength(score.durationSec)}: the first ${extended.keptBars} bars are the original, note for note, then ${extended.addedBars} new bars and an ending.`;
    }
  } catch (error) {
    if (error instanceof RangeError || error instanceof ExtendError) throw new DerivedPieceError(`I couldn't do that: ${error.message}.`);
    throw error;
  }
  timings.composing = performance.now() - started;
  const request = JSON.parse(score.meta.requestJson) as CompositionRequest;

  let t = performance.now();
  const midi = scoreToMidi(score);
  timings.midi = performance.now() - t;
  report({ stage: 'picture', fraction: 0.06 });
  t = performance.now();
  const png = renderPianoRoll(score);
  timings.picture = performance.now() - t;
  report({ stage: 'rendering', fraction: 0.1 });
  t = performance.now();
  const rendered = await renderScoreAudio(score, midi, opts);
  timings.rendering = performance.now() - t;
  const signed = await signPiece(score, midi.bytes, rendered, { recipe: { kind: 'derived', request, derivation: derivation.slice(0, 500) }, content: 'mix', sign: opts.sign, png });
  const audio = signed.audio!;
  report({ stage: 'done', fraction: 1 });
  return { score, request, midi: signed.midi, png: signed.png ?? png, audio, derivation, timings };
}
