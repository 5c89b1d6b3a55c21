import { describe, expect, it } from 'vitest';
import { buildRequest, type BuiltRequest } from '../../src/core/buildRequest.ts';
import { StyleCatalog } from '../../src/core/catalog/index.ts';
import { checkFormat, CompositionRequestSchema, formatProblem, LIMITS, METERS, RequestError, type FieldProblem, type RequestInput } from '../../src/core/request.ts';
import { createRng } from '../../src/core/rng.ts';

const fixedSeed = { randomSeed: () => 1234 };

function build(input: unknown): BuiltRequest {
  return buildRequest(input as RequestInput, fixedSeed);
}

/** The problems a bad input produces; fails the test if it does not throw a RequestError. */
function problemsOf(input: unknown): FieldProblem[] {
  try {
    build(input);
  } catch (error) {
    expect(error).toBeInstanceOf(RequestError);
    return (error as RequestError).problems;
  }
  throw new Error(`expected a RequestError for ${JSON.stringify(input)}`);
}

function problemFor(input: unknown, field: string): FieldProblem {
  const problems = problemsOf(input);
  const found = problems.find((p) => p.field === field);
  expect(found, `a ${field} problem among ${JSON.stringify(problems)}`).toBeDefined();
  return found!;
}

describe('each bad field names itself, says what is allowed and suggests the nearest valid value', () => {
  it.each<[string, RequestInput, string, string | undefined]>([
    ['misspelt style', { style: 'synthwav' }, 'style', 'synthwave'],
    ['unknown style', { style: 'lofii' }, 'style', 'lofi'],
    ['misspelt mood', { mood: 'melancolic' }, 'mood', 'sad'],
    ['misspelt energy', { energy: 'hgh' }, 'energy', 'high'],
    ['zero duration', { duration: 0 }, 'duration', '1'],
    ['negative duration', { duration: -5 }, 'duration', '1'],
    ['absurd duration', { duration: 1e9 }, 'duration', '300'],
    ['duration in words', { duration: '10 minutes' }, 'duration', '300'],
    ['tempo too fast', { tempo: 500 }, 'tempo', '240'],
    ['tempo too slow', { tempo: 10 }, 'tempo', '40'],
    ['tempo as text', { tempo: '300 bpm' }, 'tempo', '240'],
    ['German key name, misspelt', { key: 'H majr' }, 'key', 'B major'],
    ['misspelt mode', { key: 'C# mjor' }, 'key', 'C# major'],
    ['meter in five', { meter: '5/4' }, 'meter', '4/4'],
    ['meter in seven eighths', { meter: '7/8' }, 'meter', '6/8'],
    ['cut time', { meter: '2/2' }, 'meter', '2/4'],
    ['misspelt instrument', { instruments: ['pianno'] }, 'instruments', 'piano'],
    ['misspelt instrument in a list', { instruments: 'flute, vilin' }, 'instruments', 'violin'],
  ])('%s', (_, input, field, suggestion) => {
    const problem = problemFor(input, field);
    expect(problem.allowed.length).toBeGreaterThan(0);
    expect(problem.suggestion).toBe(suggestion);
    expect(formatProblem(problem)).toContain(`Did you mean "${suggestion}"?`);
  });

  it('lists the allowed values themselves', () => {
    expect(problemFor({ style: 'polka' }, 'style').allowed).toContain('synthwave');
    expect(problemFor({ mood: 'meh' }, 'mood').allowed).toContain('nostalgic');
    expect(problemFor({ meter: '5/4' }, 'meter').allowed).toBe(METERS.join(', '));
    expect(problemFor({ energy: 'max' }, 'energy').allowed).toBe('low, medium, high');
    expect(problemFor({ tempo: 500 }, 'tempo').allowed).toContain(`${LIMITS.tempo.max}`);
    expect(problemFor({ key: 'Q' }, 'key').allowed).toContain('dorian');
  });

  it.each<[string, unknown, string]>([
    ['NaN duration', { duration: Number.NaN }, 'duration'],
    ['infinite tempo', { tempo: Number.POSITIVE_INFINITY }, 'tempo'],
    ['duration that is not time', { duration: 'forever' }, 'duration'],
    ['tempo that is not a number', { tempo: '0x50' }, 'tempo'],
    ['negative seed', { seed: -1 }, 'seed'],
    ['fractional seed', { seed: 1.5 }, 'seed'],
    ['seed past 32 bits', { seed: 2 ** 32 }, 'seed'],
    ['seed as words', { seed: 'forty-two' }, 'seed'],
    ['loop as a word', { loop: 'maybe' }, 'loop'],
    ['style as a number', { style: 42 }, 'style'],
    ['key as an object', { key: { tonic: 'C' } }, 'key'],
    ['instruments as a number', { instruments: 7 }, 'instruments'],
    ['an instrument that is not text', { instruments: ['piano', 42] }, 'instruments'],
    ['too many instruments', { instruments: 'piano, flute, cello, harp, oboe' }, 'instruments'],
    ['huge style text', { style: 'x'.repeat(100_000) }, 'style'],
    ['emoji style', { style: '🎸🔥' }, 'style'],
    ['prompt as a number', { prompt: 42 }, 'prompt'],
    ['prompt over the limit', { prompt: 'lofi '.repeat(200) }, 'prompt'],
  ])('%s', (_, input, field) => {
    const problem = problemFor(input, field);
    expect(problem.message.length).toBeGreaterThan(0);
    expect(problem.allowed.length).toBeGreaterThan(0);
  });

  it('says how long a too-long prompt is and what the limit is', () => {
    const problem = problemFor({ prompt: 'a'.repeat(LIMITS.promptLength + 1) }, 'prompt');
    expect(problem.message).toContain(`${LIMITS.promptLength + 1}`);
    expect(problem.allowed).toContain(`${LIMITS.promptLength}`);
    expect(() => build({ prompt: 'a'.repeat(LIMITS.promptLength) })).not.toThrow();
  });

  it('counts what a reader sees as characters: an emoji is one, however many UTF-16 units it takes', () => {
    const notes = '🎵'.repeat(LIMITS.promptLength); // 1,000 UTF-16 units
    const built = build({ prompt: notes });
    expect(built.request.prompt).toBe(notes);
    expect(CompositionRequestSchema.safeParse(built.request).success).toBe(true);
    const family = '👨‍👩‍👧'.repeat(LIMITS.promptLength); // 8 units each, one character on screen
    expect(build({ prompt: family }).request.prompt).toBe(family);
    const problem = problemFor({ prompt: '🎵'.repeat(LIMITS.promptLength + 1) }, 'prompt');
    expect(problem.message).toContain(`is ${LIMITS.promptLength + 1} characters long`);
  });

  it.each([
    ['in the prompt', { prompt: 'lofi, seed 9007199254740993' }],
    ['as text', { seed: '9007199254740993' }],
    ['far beyond 2^53', { prompt: 'seed 123456789012345678901234567890' }],
  ])('refuses a seed beyond the range %s, echoing it exactly with the range', (_, input) => {
    const problem = problemFor(input, 'seed');
    const typed = /(\d{16,})/.exec(JSON.stringify(input))![1]!;
    expect(problem.message).toContain(`"${typed}"`);
    expect(problem.allowed).toContain(`0 to ${LIMITS.seed.max}`);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({ style: 'synthwav', mood: 'hapy', duration: 0, tempo: 500, key: 'X major', meter: '5/4', instruments: ['pianno'], energy: 'hgh', seed: -1, loop: 'maybe' });
    expect(problems.map((p) => p.field).sort()).toEqual(['duration', 'energy', 'instruments', 'key', 'loop', 'meter', 'mood', 'seed', 'style', 'tempo']);
  });

  it('reports every bad instrument in a list', () => {
    const problem = problemFor({ instruments: ['pianno', 'flute', 'vilin'] }, 'instruments');
    expect(problem.message).toContain('pianno');
    expect(problem.message).toContain('vilin');
  });

  it.each([null, undefined, 'lofi', 42, [], [{ style: 'lofi' }], () => ({})])('rejects a request that is not a set of fields: %j', (input) => {
    expect(problemsOf(input).map((p) => p.field)).toEqual(['request']);
  });
});

describe('the audio format', () => {
  it('is trimmed and read in any case, like every other field', () => {
    expect(checkFormat('ogg ')).toEqual({ ok: true, value: 'ogg' });
    expect(checkFormat(' MP3')).toEqual({ ok: true, value: 'mp3' });
  });

  it('names the nearest format it writes', () => {
    const checked = checkFormat('ogx');
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problem).toMatchObject({ field: 'format', suggestion: 'ogg' });
    expect(checked.problem.allowed).toBe('ogg, mp3, wav');
  });
});

describe('numbers in the prompt are checked like explicit ones', () => {
  it('names the words that were out of range', () => {
    const problem = problemFor({ prompt: '10 minute lofi mix' }, 'duration');
    expect(problem.message).toContain('"10 minute"');
    expect(problem.suggestion).toBe('300');
  });

  it('rejects a meter it cannot write, with the nearest one', () => {
    expect(problemFor({ prompt: 'sad song in 5/4' }, 'meter').suggestion).toBe('4/4');
  });

  it('rejects an impossible seed and tempo together', () => {
    const fields = problemsOf({ prompt: 'lofi at 999 bpm, seed 99999999999' }).map((p) => p.field);
    expect(fields.sort()).toEqual(['seed', 'tempo']);
  });

  it('lets an explicit field stand in for a bad prompt value', () => {
    expect(build({ prompt: '10 minute lofi mix', duration: 60 }).request.durationSec).toBe(60);
  });
});

describe('explicit fields win over the prompt', () => {
  const prompt = 'happy synthwave intro, 15 seconds, 120bpm in A minor, 6/8, low energy, with a flute, seed 7';

  it('uses every explicit field and reports each prompt value it replaced', () => {
    const built = build({ prompt, style: 'jazz', mood: 'sad', duration: 20, tempo: 100, key: 'C major', meter: '3/4', energy: 'high', instruments: ['cello'], seed: 9, loop: true });
    expect(built.request).toMatchObject({
      style: 'jazz',
      mood: 'sad',
      durationSec: 20,
      tempo: 100,
      key: { tonic: 'C', mode: 'major' },
      meter: '3/4',
      energy: 'high',
      instruments: [{ program: 42 }],
      seed: 9,
      loop: true,
    });
    const conflicts = built.conflicts.join('\n');
    for (const replaced of ['"synthwave"', '"happy"', '"15 seconds"', '"120bpm"', '"A minor"', '"6/8"', '"low energy"', '"flute"', '"seed 7"']) {
      expect(conflicts).toContain(replaced);
    }
    // What was replaced is no longer claimed as understood; the purpose still is.
    expect(built.understood).toEqual(['purpose: intro (from "intro")']);
  });

  it('says nothing when the explicit field agrees with the prompt', () => {
    const built = build({ prompt: 'lo-fi in A minor', style: 'lofi', key: 'Am' });
    expect(built.conflicts).toEqual([]);
    expect(built.understood).toHaveLength(2);
  });

  it('keeps the instrument of a style word the explicit style replaced', () => {
    const built = build({ prompt: 'sad piano', style: 'jazz' });
    expect(built.request.style).toBe('jazz');
    expect(built.request.instruments.map((i) => i.program)).toEqual([0]);
  });

  it('lets an explicit loop switch off the loop a BRB screen implies', () => {
    expect(build({ prompt: 'brb screen music' }).request.loop).toBe(true);
    const built = build({ prompt: 'brb screen music', loop: false });
    expect(built.request.loop).toBe(false);
    expect(built.conflicts).toHaveLength(1);
  });

  it('takes a tempo feel as the tempo option', () => {
    const { min, max } = StyleCatalog.style('rock').tempo;
    const built = build({ prompt: 'rock at 150 bpm', tempo: 'slow' });
    expect(built.request.tempo).toBeGreaterThanOrEqual(min);
    expect(built.request.tempo).toBeLessThan((min + max) / 2);
    expect(built.conflicts.join()).toContain('"150 bpm"');
  });
});

describe('defaults', () => {
  it('composes something sensible from nothing', () => {
    const built = build({});
    expect(built.request).toMatchObject({ style: StyleCatalog.defaultStyle, mood: 'calm', durationSec: 30, tempo: null, key: null, meter: null, instruments: [], energy: null, seed: 1234, loop: false, prompt: '' });
    expect(built.seedWasRandom).toBe(true);
    expect(built.defaulted.length).toBeGreaterThan(0);
  });

  it('treats null and blank fields as absent', () => {
    expect(build({ style: null, mood: '  ', prompt: '', tempo: null }).request.style).toBe(StyleCatalog.defaultStyle);
  });

  it('picks a style that suits a lone mood, and a mood that suits a lone style', () => {
    expect(build({ mood: 'epic' }).request.style).toBe('cinematic');
    expect(build({ prompt: 'something spooky' }).request.style).toBe('cinematic');
    expect(build({ style: 'synthwave' }).request.mood).toBe('nostalgic');
    expect(build({ mood: 'calm' }).request.style).toBe('lofi');
  });

  it('gives intros and jingles their usual lengths', () => {
    expect(build({ prompt: 'lofi intro' }).request.durationSec).toBe(15);
    expect(build({ prompt: 'sub alert jingle' }).request.durationSec).toBe(5);
    expect(build({ prompt: 'lofi intro', duration: 45 }).request.durationSec).toBe(45);
  });

  it('places tempo words inside the style range', () => {
    for (const style of StyleCatalog.styleIds) {
      const { min, max } = StyleCatalog.style(style).tempo;
      const middle = (min + max) / 2;
      const slow = build({ prompt: 'slow', style }).request.tempo!;
      const fast = build({ prompt: 'fast', style }).request.tempo!;
      expect(slow).toBeGreaterThanOrEqual(min);
      expect(slow).toBeLessThan(middle);
      expect(fast).toBeGreaterThan(middle);
      expect(fast).toBeLessThanOrEqual(max);
    }
  });

  it('uses the given seed source, and a random 32-bit one otherwise', () => {
    const built = buildRequest({ prompt: 'lofi' });
    expect(Number.isInteger(built.request.seed)).toBe(true);
    expect(built.request.seed).toBeGreaterThanOrEqual(0);
    expect(built.request.seed).toBeLessThanOrEqual(LIMITS.seed.max);
    const seeds = new Set(Array.from({ length: 5 }, () => buildRequest({}).request.seed));
    expect(seeds.size).toBeGreaterThan(1);
    const explicit = buildRequest({ seed: '42' }, { randomSeed: () => 7 });
    expect(explicit.request.seed).toBe(42);
    expect(explicit.seedWasRandom).toBe(false);
  });

  it('is deterministic for the same input and seed', () => {
    const input = { prompt: 'chill lofi beats, 90s, in D dorian, slow' };
    expect(build(input)).toEqual(build(input));
  });
});

describe('never throws anything but RequestError', () => {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const trap = new Proxy({}, { get: () => { throw new Error('boom'); } });
  const junkValues: unknown[] = [
    Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, -5, 0, 1, 15, 120, 1e9, 1e308, 2 ** 53, 1.5, -1e-9,
    '', ' ', 'lofi', 'synthwave', 'A minor', '3/4', '1:30', '90s', 'slow', 'yes', 'piano, strings', '🔥'.repeat(300),
    'x'.repeat(20_000), '\u0000', '\ud800', 'NaN', '-5', '1e9', '0x10', 'null',
    null, undefined, true, false, [], ['piano', 42], [[['deep']]], {}, { toString: () => 'lofi' }, Symbol('x'), 10n,
    () => 1, new Date(0), Object.create(null), trap, revoked.proxy,
  ];
  const fields = ['prompt', 'style', 'mood', 'duration', 'tempo', 'key', 'meter', 'instruments', 'energy', 'seed', 'loop', 'bpm', '__proto__'];
  const words = ['lofi', 'sad', 'in', 'a', 'am', 'C#m', '120bpm', '2 min', '5/4', 'seed', '99999999999', '🎵', 'loop', 'piano', 'brb', 'fast', 'slow', '10', 'minutes', 'key', 'of', 'H'];

  it('holds for thousands of random junk inputs', () => {
    const rng = createRng(0xc0ffee);
    let built = 0;
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      let input: unknown;
      if (rng.chance(0.05)) input = rng.pick(junkValues);
      else {
        const record: Record<string, unknown> = {};
        for (const field of fields) {
          if (!rng.chance(0.3)) continue;
          record[field] = field === 'prompt' && rng.chance(0.6) ? Array.from({ length: rng.int(0, 12) }, () => rng.pick(words)).join(rng.pick([' ', ', ', ''])) : rng.pick(junkValues);
        }
        input = record;
      }
      try {
        const result = buildRequest(input as RequestInput, { randomSeed: () => rng.int(0, 1000) });
        expect(CompositionRequestSchema.safeParse(result.request).success).toBe(true);
        built++;
      } catch (error) {
        if (!(error instanceof RequestError)) throw new Error(`threw ${String(error)} for input #${i}`);
        expect(error.problems.length).toBeGreaterThan(0);
        for (const p of error.problems) expect(typeof p.field === 'string' && p.message.length > 0 && p.allowed.length > 0).toBe(true);
        rejected++;
      }
    }
    // Both paths were exercised, so the property means something.
    expect(built).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
  });
});
