/** Missing tools give one clear MissingToolError; failing tools give a RenderError; no process outlives a render. */
import { afterEach, describe, expect, it } from 'vitest';
import { MissingToolError, RenderError } from '../../src/render/errors.ts';
import { renderAudio, type RenderOptions } from '../../src/render/render.ts';
import { renderOggOpusStream } from '../../src/render/stream.ts';
import { fixtureMidi } from '../support/midiFixtures.ts';
import { renderChildrenAfterSettling } from './helpers.ts';

const piece = fixtureMidi({ durationSec: 6 });
const opts: RenderOptions = { midi: piece.bytes, durationSec: piece.durationSec, format: 'ogg', tags: { title: 'errors' } };
const OVERRIDES = ['TUNESMITH_FFMPEG', 'TUNESMITH_FFPROBE', 'TUNESMITH_FLUIDSYNTH', 'TUNESMITH_SOUNDFONT'] as const;
const saved = Object.fromEntries(OVERRIDES.map((k) => [k, process.env[k]]));

afterEach(() => {
  for (const k of OVERRIDES) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

async function missingToolError(work: () => Promise<unknown>): Promise<MissingToolError> {
  const error = await work().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MissingToolError);
  return error as MissingToolError;
}

describe('missing tools', () => {
  it.each([
    ['TUNESMITH_FLUIDSYNTH', 'fluidsynth', 'fluidsynth'],
    ['TUNESMITH_FFMPEG', 'ffmpeg', 'ffmpeg'],
    ['TUNESMITH_FFPROBE', 'ffprobe', 'ffmpeg'],
  ])('%s at a non-existent path names %s, its Debian package and setup.sh', async (env, tool, pkg) => {
    const nowhere = `/nonexistent/tunesmith/${tool}`;
    process.env[env] = nowhere;
    const error = await missingToolError(() => renderAudio(opts));
    expect(error.missing.map((m) => m.what)).toEqual([tool]);
    expect(error.message).toContain(nowhere);
    expect(error.message).toContain(`apt-get install ${pkg}`);
    expect(error.message).toContain('bash scripts/setup.sh');
  });

  it('a non-existent SoundFont names it and the package of the default font', async () => {
    const nowhere = '/nonexistent/tunesmith/Missing.sf2';
    process.env.TUNESMITH_SOUNDFONT = nowhere;
    const error = await missingToolError(() => renderAudio(opts));
    expect(error.message).toContain(nowhere);
    expect(error.message).toContain('fluid-soundfont-gm');
    expect(error.message).toContain('bash scripts/setup.sh');
  });

  it('reports everything missing at once, and the stream refuses to start', async () => {
    process.env.TUNESMITH_FLUIDSYNTH = '/nonexistent/fluidsynth';
    process.env.TUNESMITH_FFMPEG = '/nonexistent/ffmpeg';
    process.env.TUNESMITH_SOUNDFONT = '/nonexistent/font.sf2';
    const error = await missingToolError(() => renderAudio(opts));
    expect(error.missing.map((m) => m.what)).toEqual(['ffmpeg', 'fluidsynth', 'SoundFont "/nonexistent/font.sf2"']);
    expect(() => renderOggOpusStream(opts)).toThrow(MissingToolError);
  });

  it('works again once the override is removed (the check is cached per environment)', async () => {
    process.env.TUNESMITH_FLUIDSYNTH = '/nonexistent/fluidsynth';
    await missingToolError(() => renderAudio(opts));
    delete process.env.TUNESMITH_FLUIDSYNTH;
    expect((await renderAudio(opts)).data.length).toBeGreaterThan(0);
  });
});

async function renderError(work: () => Promise<unknown>): Promise<RenderError> {
  const error = await work().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RenderError);
  return error as RenderError;
}

describe('failing renders', () => {
  it('a corrupt MIDI file is a fluidsynth RenderError with its stderr, and nothing is left running', async () => {
    const corrupt = new TextEncoder().encode('this is not a MIDI file at all');
    const error = await renderError(() => renderAudio({ ...opts, midi: corrupt }));
    expect(error.tool).toBe('fluidsynth');
    // The warm synthesiser checks the header itself; the fluidsynth CLI says "not a SoundFont or MIDI file".
    expect(error.stderrTail).toMatch(/not a (SoundFont or )?MIDI file/);
    expect(await renderChildrenAfterSettling()).toEqual([]);
  });

  it('an ffmpeg failure is an ffmpeg RenderError carrying ffmpeg’s explanation', async () => {
    const error = await renderError(() => renderAudio({ ...opts, bitrateKbps: 100_000 }));
    expect(error.tool).toBe('ffmpeg');
    expect(error.message).toMatch(/bit ?rate/i);
    expect(await renderChildrenAfterSettling()).toEqual([]);
  });

  it('a timeout kills fluidsynth mid-render', async () => {
    const long = fixtureMidi({ durationSec: 120 });
    const error = await renderError(() => renderAudio({ ...opts, midi: long.bytes, durationSec: long.durationSec, timeoutMs: 100 }));
    expect(error.message).toMatch(/timed out/);
    expect(await renderChildrenAfterSettling()).toEqual([]);
  });

  it('an abort signal stops the render', async () => {
    const long = fixtureMidi({ durationSec: 120 });
    const controller = new AbortController();
    const pending = renderAudio({ ...opts, midi: long.bytes, durationSec: long.durationSec, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await renderError(() => pending);
    expect(error.message).toMatch(/aborted/);
    expect(await renderChildrenAfterSettling()).toEqual([]);
  });

  it('the stream ends in a RenderError (not silence) for a corrupt MIDI file', async () => {
    const stream = renderOggOpusStream({ midi: new TextEncoder().encode('not midi'), durationSec: 5 });
    const error = await new Promise<unknown>((resolve) => {
      stream.on('error', resolve);
      stream.on('end', () => resolve(undefined));
      stream.resume();
    });
    expect(error).toBeInstanceOf(RenderError);
    expect(await renderChildrenAfterSettling()).toEqual([]);
  });
});
