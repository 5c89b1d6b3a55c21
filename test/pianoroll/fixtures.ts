/**
 * Hand-built scores for the piano-roll tests: a minimal one to fill in, and a plausible
 * multi-track song of any length (deterministic, no RNG) for the sample picture and timing.
 */
import { PPQ, ticksPerBar } from '../../src/core/score.ts';
import type { Score, ScoreNote, ScoreTrack, Section } from '../../src/core/score.ts';

export function makeScore(over: Partial<Score> = {}): Score {
  return {
    ppq: PPQ,
    bpm: 120,
    meter: { numerator: 4, denominator: 4 },
    key: { tonic: 'A', mode: 'minor' },
    durationSec: 8,
    endTick: 4 * 4 * PPQ,
    sections: [],
    chords: [],
    tracks: [],
    meta: { title: 'Test Piece', style: 'lofi', mood: 'calm', seed: 1, generator: 'test@1', requestJson: '{}', loop: false },
    ...over,
  };
}

export function track(name: string, role: ScoreTrack['role'], notes: ScoreNote[], channel = 0): ScoreTrack {
  return { name, role, program: 0, channel: role === 'drums' ? 9 : channel, notes };
}

export function note(pitch: number, tick: number, durationTicks: number, velocity = 100): ScoreNote {
  return { pitch, tick, durationTicks, velocity };
}

/** A five-track song (lead, harmony, bass, pad, drums) about `seconds` long at 120 bpm in 4/4. */
export function demoSong(seconds: number): Score {
  const bar = ticksPerBar({ numerator: 4, denominator: 4 });
  const bars = Math.max(1, Math.round((seconds * 2) / 4));
  const eighth = PPQ / 2;
  // Am – F – C – G, as root pitch classes above A1.
  const roots = [45, 41, 48, 43];
  const thirds = [3, 4, 4, 4];
  const lead: ScoreNote[] = [];
  const harmony: ScoreNote[] = [];
  const bass: ScoreNote[] = [];
  const pad: ScoreNote[] = [];
  const drums: ScoreNote[] = [];
  const melody = [0, 3, 7, 10, 7, 5, 3, 0, -2, 0, 3, 5, 7, 12, 10, 7];
  for (let b = 0; b < bars; b++) {
    const start = b * bar;
    const root = roots[b % 4]!;
    const third = thirds[b % 4]!;
    for (const [i, iv] of [0, third, 7].entries()) pad.push({ pitch: root + iv, tick: start, durationTicks: bar, velocity: 50 + i * 5 });
    for (let beat = 0; beat < 4; beat += 2) {
      for (const iv of [0, third, 7]) harmony.push({ pitch: root + 12 + iv, tick: start + beat * PPQ, durationTicks: PPQ * 1.5, velocity: 70 });
    }
    bass.push({ pitch: root - 12, tick: start, durationTicks: PPQ * 1.5, velocity: 110 });
    bass.push({ pitch: root - 12 + 7, tick: start + PPQ * 2, durationTicks: PPQ, velocity: 90 });
    bass.push({ pitch: root, tick: start + PPQ * 3, durationTicks: PPQ / 2, velocity: 80 });
    for (let e = 0; e < 8; e++) {
      const step = (b * 8 + e) % melody.length;
      if ((b + e) % 5 === 4) continue; // rests
      lead.push({ pitch: 69 + melody[step]!, tick: start + e * eighth, durationTicks: e % 3 === 2 ? eighth * 2 : eighth, velocity: 60 + ((e * 17 + b * 7) % 67) });
      drums.push({ pitch: 42, tick: start + e * eighth, durationTicks: 60, velocity: e % 2 === 0 ? 100 : 60 });
    }
    for (const beat of [0, 2]) drums.push({ pitch: 36, tick: start + beat * PPQ, durationTicks: 60, velocity: 120 });
    for (const beat of [1, 3]) drums.push({ pitch: 38, tick: start + beat * PPQ, durationTicks: 60, velocity: 110 });
    if (b % 4 === 0) drums.push({ pitch: 49, tick: start, durationTicks: 240, velocity: 100 });
  }
  const sectionNames = ['intro', 'A', 'B', 'A', 'bridge', 'B', 'outro'];
  const per = Math.max(1, Math.floor(bars / sectionNames.length));
  const sections: Section[] = [];
  for (let i = 0, b = 0; b < bars; i++) {
    const len = i === sectionNames.length - 1 || i >= sectionNames.length ? bars - b : per;
    sections.push({ name: sectionNames[Math.min(i, sectionNames.length - 1)]!, startTick: b * bar, endTick: (b + len) * bar });
    b += len;
  }
  return makeScore({
    durationSec: seconds + 2,
    endTick: bars * bar,
    sections,
    tracks: [
      track('Lead Synth', 'lead', lead, 0),
      track('Electric Piano', 'harmony', harmony, 1),
      track('Fingered Bass', 'bass', bass, 2),
      track('Warm Pad', 'pad', pad, 3),
      track('Drums', 'drums', drums),
    ],
    meta: { title: 'Midnight Rain Over Neon Streets', style: 'lofi', mood: 'melancholic', seed: 42, generator: 'test@1', requestJson: '{}', loop: false },
  });
}
