/**
 * A stored piece's audio made again from its MIDI (the source of truth): read back into a score,
 * rendered with the piece's own format and SoundFont, and signed like the original. Used when the
 * audio cache (audioCache.ts) has dropped a piece, and always for WAV, which is never stored.
 */
import { midiToScore, readTunesmithText } from '../midi/transformSource.ts';
import { scoreToMidi } from '../midi/scoreToMidi.ts';
import { renderScoreAudio, signPiece } from '../pipeline.ts';
import type { Recipe } from '../provenance/manifest.ts';
import type { PieceSource } from './resultStore.ts';

export type RenderStoredAudio = (source: PieceSource, signal?: AbortSignal) => Promise<Buffer>;

export const renderStoredAudio: RenderStoredAudio = async (source, signal) => {
  const score = midiToScore(source.midi);
  const text = readTunesmithText(source.midi);
  const recipe: Recipe = source.summary.derivation || !text
    ? { kind: 'derived', request: source.request, derivation: (source.summary.derivation ?? 'rendered again from the stored MIDI').slice(0, 500) }
    : { kind: 'compose', request: text.request };
  const midi = scoreToMidi(score);
  const audio = await renderScoreAudio(score, midi, { format: source.render.format, soundfont: source.render.soundfont, signal });
  const signed = await signPiece(score, midi.bytes, audio, { recipe, content: 'mix' });
  return signed.audio!.data;
};
