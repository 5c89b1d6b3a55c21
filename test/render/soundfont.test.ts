/** SoundFont choice: short names, paths, env, per-font gain, friendly errors. */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MissingToolError } from '../../src/render/errors.ts';
import { TARGET_LUFS } from '../../src/render/normalize.ts';
import { renderAudio } from '../../src/render/render.ts';
import { DEFAULT_SOUNDFONT, resolveSoundFont, SOUNDFONT_NAMES, UnknownSoundFontError } from '../../src/render/soundfont.ts';
import { fixtureMidi } from '../support/midiFixtures.ts';
import { ebur128File, scratchDir } from './helpers.ts';

const LOUDNESS_TOLERANCE_LU = 1;
const FLUID = '/usr/share/sounds/sf2/FluidR3_GM.sf2';
const TIM = '/usr/share/sounds/sf2/TimGM6mb.sf2';
const MUSESCORE = ['/usr/share/sounds/sf2/MuseScore_General.sf3', '/usr/share/sounds/sf2/MuseScore_General.sf2', '/usr/share/sounds/sf3/MuseScore_General.sf3'];

let scratch: Awaited<ReturnType<typeof scratchDir>>;
beforeAll(async () => (scratch = await scratchDir()));
afterAll(() => scratch.remove());

describe('resolveSoundFont', () => {
  it('defaults to FluidR3_GM, also through env, and the option wins over env', () => {
    expect(resolveSoundFont(undefined, {})).toMatchObject({ name: DEFAULT_SOUNDFONT, path: FLUID });
    expect(resolveSoundFont(undefined, { TUNESMITH_SOUNDFONT: 'timgm6mb' }).path).toBe(TIM);
    expect(resolveSoundFont('fluidr3', { TUNESMITH_SOUNDFONT: 'timgm6mb' }).path).toBe(FLUID);
  });

  it('accepts names in any case and paths to known fonts, with that font’s gain', () => {
    const byName = resolveSoundFont('TimGM6mb', {});
    expect(byName.path).toBe(TIM);
    expect(resolveSoundFont(TIM, {})).toEqual(byName);
    // TimGM6mb's leads are hotter, so it plays with less gain than FluidR3.
    expect(byName.gain).toBeLessThan(resolveSoundFont('fluidr3', {}).gain);
  });

  it('an unknown name lists the choices and suggests the nearest', () => {
    const attempt = () => resolveSoundFont('timgm6', {});
    expect(attempt).toThrow(UnknownSoundFontError);
    expect(attempt).toThrow(/Did you mean "timgm6mb"\?/);
    for (const name of SOUNDFONT_NAMES) expect(attempt).toThrow(new RegExp(name));
  });

  it('musescore resolves to the font scripts/setup.sh installs', () => {
    // Needs musescore-general-soundfont-small (scripts/debian-packages.txt).
    const installed = MUSESCORE.find((p) => existsSync(p));
    expect(installed, 'MuseScore_General.sf3 missing: run bash scripts/setup.sh').toBeDefined();
    expect(resolveSoundFont('musescore', {}).path).toBe(installed);
  });

  it('rejects a file that is not a SoundFont (fluidsynth would silently render nothing)', async () => {
    const fake = scratch.path('fake.sf2');
    await writeFile(fake, 'definitely not RIFF');
    expect(() => resolveSoundFont(fake, {})).toThrow(MissingToolError);
    expect(() => resolveSoundFont(fake, {})).toThrow(/not a SoundFont/);
  });
});

describe('rendering with another SoundFont', () => {
  it('timgm6mb sounds different from fluidr3 and both are normalised', async () => {
    const piece = fixtureMidi({ durationSec: 5 });
    const opts = { midi: piece.bytes, durationSec: piece.durationSec, format: 'wav' as const, tags: { title: 'fonts' } };
    const [fluid, tim] = await Promise.all([renderAudio({ ...opts, soundfont: 'fluidr3' }), renderAudio({ ...opts, soundfont: 'timgm6mb' })]);
    expect(fluid.soundfont).toBe(FLUID);
    expect(tim.soundfont).toBe(TIM);
    expect(tim.data.equals(fluid.data)).toBe(false);
    for (const [name, result] of [['fluid', fluid], ['tim', tim]] as const) {
      const path = scratch.path(`${name}.wav`);
      await writeFile(path, result.data);
      expect(Math.abs((await ebur128File(path)).integratedLufs - TARGET_LUFS)).toBeLessThanOrEqual(LOUDNESS_TOLERANCE_LU);
    }
  });
});
