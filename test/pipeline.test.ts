import { describe, expect, it } from 'vitest';
import { RuleBasedMelody, type MelodyGenerator } from '../src/core/generator.ts';
import { createPiece } from '../src/pipeline.ts';
import { UnknownSoundFontError } from '../src/render/soundfont.ts';
import { makeRequest } from './support/requests.ts';

describe('createPiece', () => {
  it('checks the render set-up (SoundFont, tools) before composing anything', async () => {
    let composed = 0;
    const counting: MelodyGenerator = { ...RuleBasedMelody, melody: (plan, rng) => (composed++, RuleBasedMelody.melody(plan, rng)) };
    await expect(createPiece(makeRequest({ durationSec: 2 }), { soundfont: 'fluidr', generator: counting })).rejects.toThrow(UnknownSoundFontError);
    expect(composed).toBe(0);
    const piece = await createPiece(makeRequest({ durationSec: 2 }), { soundfont: 'fluidr', generator: counting, skipAudio: true });
    expect(piece.audio).toBeUndefined(); // no audio, no SoundFont needed
    expect(composed).toBe(1);
  });
});
