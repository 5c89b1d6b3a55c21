import { describe, expect, it } from 'vitest';
import { parsePrompt, type ParsedPrompt } from '../../src/core/prompt.ts';
import { checkEnergy, checkInstrument, checkKey, checkMood, checkStyle, LIMITS } from '../../src/core/request.ts';
import { createRng } from '../../src/core/rng.ts';

type Fields = Omit<ParsedPrompt, 'sources' | 'notes' | 'understood' | 'ignored' | 'conflicts'>;
interface Case {
  prompt: string;
  /** Only the fields that matter; a field set to undefined must be absent (the traps: "I am", "a chill"). */
  want: Fields;
  /** How many contradictions the prompt holds (default 0). */
  conflicts?: number;
  /** Words that must be reported as ignored / must not be. */
  ignores?: string[];
  keeps?: string[];
}

// What a Discord user types, and what they meant.
const CASES: Case[] = [
  // Streamer intros, outros, BRB screens
  { prompt: 'upbeat synthwave intro for my stream, 15 seconds, 120bpm in A minor', want: { style: 'synthwave', mood: 'happy', duration: 15, tempo: 120, key: 'A minor', purpose: 'intro' } },
  { prompt: 'calm lofi intro for my stream, 15 seconds', want: { style: 'lofi', mood: 'calm', duration: 15, purpose: 'intro' } },
  { prompt: 'outro for my twitch stream, sad piano, 20s', want: { purpose: 'outro', mood: 'sad', style: 'classical-piano', duration: 20 } },
  { prompt: 'brb screen music, chill, loop', want: { purpose: 'brb', mood: 'calm', loop: true } },
  { prompt: 'starting soon music lofi 2 min', want: { purpose: 'brb', loop: true, style: 'lofi', duration: 120 } },
  { prompt: 'low energy lofi for background', want: { energy: 'low', style: 'lofi', purpose: 'background', loop: true } },
  { prompt: 'give me a banger for my intro', want: { energy: 'high', purpose: 'intro' } },
  { prompt: 'gameboy style happy tune for a follower alert', want: { style: 'chiptune', mood: 'happy', purpose: 'jingle' } },
  { prompt: 'quick intro, happy', want: { duration: 15, purpose: 'intro', mood: 'happy', tempoFeel: undefined } },
  { prompt: '2m30s ambient for background', want: { duration: 150, style: 'ambient', purpose: 'background' } },
  // Styles, moods and their synonyms
  { prompt: 'chill lofi beats to study to', want: { style: 'lofi', mood: 'calm' } },
  { prompt: 'epic orchestral boss battle music, 1:30', want: { style: 'cinematic', mood: 'epic', duration: 90 } },
  { prompt: 'happy 8-bit level music, 30 seconds', want: { style: 'chiptune', mood: 'happy', duration: 30, instruments: undefined } },
  { prompt: 'cozy cafe jazz, 1.5 minutes', want: { style: 'jazz', mood: 'calm', duration: 90 } },
  { prompt: 'half a minute of spooky music', want: { duration: 30, mood: 'dark' } },
  { prompt: 'bossa nova for a cafe, relaxing, not looping', want: { style: 'bossa-nova', mood: 'calm', loop: false } },
  { prompt: 'romantic waltz in 3/4', want: { style: 'waltz', mood: 'romantic', meter: '3/4' } },
  { prompt: 'lofi hip hop radio', want: { style: 'lofi' } },
  // Durations and the "90s" trap
  { prompt: 'dark ambient drone 90s', want: { style: 'ambient', mood: 'dark', duration: 90 } },
  { prompt: '90s hip hop beat', want: { style: 'hiphop', duration: undefined } },
  { prompt: '80s synthwave, seamless loop, 1 min', want: { style: 'synthwave', loop: true, duration: 60 } },
  { prompt: '1980s retrowave', want: { style: 'synthwave', duration: undefined } },
  { prompt: 'a minute long chill song', want: { duration: 60, mood: 'calm', key: undefined } },
  { prompt: 'thirty second jingle', want: { duration: 30, purpose: 'jingle' } },
  { prompt: '10 minute lofi mix', want: { duration: 600, style: 'lofi' } },
  // Keys, and English that only looks like one
  { prompt: 'jazz in Bb major, 3/4, 45 seconds', want: { style: 'jazz', key: 'Bb major', meter: '3/4', duration: 45 } },
  { prompt: 'waltz time folk song in D', want: { style: 'folk', meter: '3/4', key: 'D major' } },
  { prompt: 'melancolic piano in c#m', want: { mood: 'sad', style: 'classical-piano', key: 'C# minor' } },
  { prompt: 'Bbm trap beat, 140 bpm', want: { key: 'Bb minor', style: 'hiphop', tempo: 140 } },
  { prompt: 'F# minor edm banger 128 bpm', want: { style: 'edm', key: 'F# minor', tempo: 128, energy: 'high' } },
  { prompt: 'Eb major romantic jazz ballad', want: { style: 'jazz', mood: 'romantic', key: 'Eb major' } },
  { prompt: 'D dorian funky groove', want: { style: 'funk', key: 'D dorian' } },
  { prompt: 'key of G, folk, happy', want: { key: 'G major', style: 'folk', mood: 'happy' } },
  { prompt: 'mysterious music, key: E phrygian', want: { mood: 'mysterious', key: 'E phrygian' } },
  { prompt: 'Cinematic trailer music in the key of A', want: { style: 'cinematic', key: 'A major' } },
  { prompt: 'a chill song in am', want: { mood: 'calm', key: 'A minor' } },
  { prompt: 'I am making a chill song', want: { mood: 'calm', key: undefined } },
  { prompt: 'Am I allowed a sad song?', want: { mood: 'sad', key: undefined } },
  { prompt: 'dm me a happy tune', want: { mood: 'happy', key: undefined } },
  { prompt: 'in a chill mood', want: { mood: 'calm', key: undefined } },
  { prompt: 'play something in c major!!!', want: { key: 'C major' } },
  // Typos and stretched words
  { prompt: 'synthwav intro 15s', want: { style: 'synthwave', purpose: 'intro', duration: 15 } },
  { prompt: 'lofy chill vibes', want: { style: 'lofi', mood: 'calm' }, keeps: ['vibes'] },
  { prompt: 'chipton boss music', want: { style: 'chiptune', mood: 'epic' } },
  { prompt: 'sooo chilllll lofi', want: { mood: 'calm', style: 'lofi' } },
  { prompt: 'show me something with a slow store vibe', want: { style: undefined, tempoFeel: 'slow' }, ignores: ['store'] },
  // Instruments
  { prompt: 'lofi with rhodes, upright bass and vibraphone', want: { style: 'lofi', instruments: ['rhodes', 'upright bass', 'vibraphone'] } },
  { prompt: '✨ dreamy synthwave ✨ w/ electric piano & synth bass!!!', want: { style: 'synthwave', mood: 'nostalgic', instruments: ['electric piano', 'synth bass'] } },
  { prompt: 'lofi piano with violins', want: { style: 'lofi', instruments: ['piano', 'violin'] } },
  { prompt: 'energetic rock with distorted guitar and drums, 140bpm', want: { style: 'rock', mood: 'energetic', instruments: ['distorted guitar'], tempo: 140 }, ignores: ['drums'] },
  { prompt: 'chiptune lofi', want: { style: 'lofi', instruments: ['chiptune'] } },
  { prompt: 'something with strings and a flute, in e minor, 6/8', want: { instruments: ['strings', 'flute'], key: 'E minor', meter: '6/8' } },
  // Tempo words and contradictions (last mention wins)
  { prompt: 'happy sad song', want: { mood: 'sad' }, conflicts: 1 },
  { prompt: 'fast slow rock', want: { tempoFeel: 'slow', style: 'rock' }, conflicts: 1 },
  { prompt: 'slow lofi', want: { tempoFeel: 'slow', tempo: undefined, style: 'lofi' } },
  { prompt: 'fast 160bpm rock', want: { tempo: 160, tempoFeel: undefined, style: 'rock' } },
  { prompt: 'uptempo happy chiptune', want: { tempoFeel: 'fast', mood: 'happy', style: 'chiptune' } },
  { prompt: 'rock then jazz', want: { style: 'jazz' }, conflicts: 1 },
  { prompt: 'sad boss battle', want: { mood: 'sad' } },
  { prompt: 'jazzy lofi', want: { style: 'lofi' } },
  { prompt: 'sad ballad', want: { mood: 'sad' } },
  { prompt: 'liquid drum and bass, 174bpm', want: { style: 'edm', tempo: 174, instruments: undefined } },
  { prompt: 'lofi with bass and keys', want: { style: 'lofi', instruments: ['bass', 'keys'] } },
  { prompt: 'tempo 90 jazz for my podcast', want: { tempo: 90, style: 'jazz' } },
  { prompt: 'chill lofi with an 8-bit lead, loopable', want: { style: 'lofi', mood: 'calm', instruments: ['8-bit lead'], loop: true } },
  { prompt: 'cute 8 bit song, tempo of 150, one shot', want: { style: 'chiptune', mood: 'playful', tempo: 150, loop: false } },
  { prompt: 'in A minor, no wait, in C major', want: { key: 'C major' }, conflicts: 1 },
  // Shouting, emoji, punctuation, nothing at all
  { prompt: 'EPIC BOSS BATTLE MUSIC 30 SECONDS', want: { mood: 'epic', duration: 30, key: undefined } },
  { prompt: 'LOFI IN AM', want: { style: 'lofi', key: 'A minor' } },
  { prompt: '🔥🔥 hype trap beat 🔥', want: { style: 'hiphop', mood: 'energetic' } },
  { prompt: 'seed 42 lofi', want: { seed: 42, style: 'lofi' } },
  { prompt: 'sad song in 5/4', want: { mood: 'sad', meter: '5/4' } },
  { prompt: '', want: {} },
  { prompt: '   \n\t ', want: {} },
  { prompt: '!!! ??? 🎵🎶', want: {} },
];

describe('parsePrompt on real-world prompts', () => {
  it('has a broad table', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES)('$prompt', ({ prompt, want, conflicts = 0, ignores = [], keeps = [] }) => {
    const parsed = parsePrompt(prompt);
    for (const [field, value] of Object.entries(want)) {
      expect(parsed[field as keyof Fields], `${field} of ${JSON.stringify(prompt)}`).toEqual(value);
    }
    expect(parsed.conflicts, 'conflicts').toHaveLength(conflicts);
    for (const word of ignores) expect(parsed.ignored).toContain(word);
    for (const word of keeps) expect(parsed.ignored).not.toContain(word);
  });
});

describe('parsePrompt values', () => {
  it('are ones the request checks accept (numbers are range-checked later by buildRequest)', () => {
    for (const { prompt } of CASES) {
      const parsed = parsePrompt(prompt);
      if (parsed.style) expect(checkStyle(parsed.style)).toEqual({ ok: true, value: parsed.style });
      if (parsed.mood) expect(checkMood(parsed.mood)).toEqual({ ok: true, value: parsed.mood });
      if (parsed.key) expect(checkKey(parsed.key).ok, parsed.key).toBe(true);
      if (parsed.energy) expect(checkEnergy(parsed.energy).ok).toBe(true);
      for (const name of parsed.instruments ?? []) expect(checkInstrument(name).ok, name).toBe(true);
      expect(parsed.instruments?.length ?? 0).toBeLessThanOrEqual(LIMITS.instruments);
    }
  });
});

describe('parsePrompt reports', () => {
  it('says what it understood, from which words, in the prompt order', () => {
    const parsed = parsePrompt('upbeat synthwave intro for my stream, 15 seconds, 120bpm in A minor');
    expect(parsed.understood).toEqual([
      'mood: happy (from "upbeat")',
      'style: synthwave (from "synthwave")',
      'purpose: intro (from "intro")',
      'duration: 15 s (from "15 seconds")',
      'tempo: 120 bpm (from "120bpm")',
      'key: A minor (from "A minor")',
    ]);
    expect(parsed.ignored).toEqual([]);
  });

  it('marks typo guesses with the word it read', () => {
    expect(parsePrompt('synthwav').understood).toEqual(['style: synthwave (from "synthwav", read as "synthwave")']);
  });

  it('lists unused words but not stop words', () => {
    const parsed = parsePrompt('can you make me a lofi song with a kazoo and a didgeridoo for my stream please');
    expect(parsed.style).toBe('lofi');
    expect(parsed.ignored).toEqual(['kazoo', 'didgeridoo']);
  });

  it('names both sides of a contradiction and the winner', () => {
    const [line] = parsePrompt('happy sad song').conflicts;
    expect(line).toContain('"happy"');
    expect(line).toContain('"sad"');
    expect(line).toMatch(/using sad/);
  });

  it('keeps at most four instruments and says which were left out', () => {
    const parsed = parsePrompt('flute, cello, harp, trumpet and oboe');
    expect(parsed.instruments).toEqual(['flute', 'cello', 'harp', 'trumpet']);
    expect(parsed.conflicts).toHaveLength(1);
    expect(parsed.conflicts[0]).toContain('oboe');
  });

  it('never reads real English words as typos', () => {
    for (const word of ['show', 'store', 'trip', 'bent', 'speed', 'snow', 'fact', 'boat', 'classic', 'county', 'section']) {
      const parsed = parsePrompt(word);
      expect(parsed.understood, word).toEqual([]);
    }
  });

  it('does not throw on junk, and understands nothing in pure noise', () => {
    const rng = createRng(20240611);
    const alphabet = ['a', 'm', 'A', 'b', '#', ' ', '1', '0', ':', '/', 's', 'é', '🔥', '\u0000', '-', "'", 'in', 'key', 'lofi', 'bpm', 'min', '\n'];
    for (let i = 0; i < 500; i++) {
      const text = Array.from({ length: rng.int(0, 60) }, () => rng.pick(alphabet)).join('');
      expect(() => parsePrompt(text)).not.toThrow();
    }
    expect(() => parsePrompt('x'.repeat(100_000))).not.toThrow();
    expect(parsePrompt(undefined as unknown as string).understood).toEqual([]);
  });
});
