/**
 * The requests `npm run eval:music` composes: for each style, seed i gets a length and a mood from
 * fixed cycles, so every style has pieces of 45 s to 2 min and, among the 60 s+ pieces, the epic,
 * energetic and dark moods the loudness-range target is about. Tempo, key and meter are the
 * style's own choice.
 */
import type { CompositionRequest } from '../../core/request.ts';

export const DURATIONS_SEC = [60, 90, 120, 75, 105, 45, 60, 90, 120, 75] as const;
export const MOODS = ['epic', 'energetic', 'dark', 'calm', 'happy', 'sad', 'epic', 'energetic', 'dark', 'nostalgic'] as const;
export const SEED_BASE = 1100;

export function evalMusicRequest(style: string, index: number, seedBase = SEED_BASE): CompositionRequest {
  return {
    style,
    mood: MOODS[index % MOODS.length]!,
    durationSec: DURATIONS_SEC[index % DURATIONS_SEC.length]!,
    tempo: null,
    key: null,
    meter: null,
    instruments: [],
    energy: null,
    seed: seedBase + index,
    loop: false,
    prompt: '',
  };
}
