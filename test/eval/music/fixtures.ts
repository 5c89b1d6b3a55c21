/** Hand-built scores and PCM for the music-measure tests. */
import { PPQ, ticksPerBar, type Meter, type Role, type Score, type ScoreNote, type ScoreTrack } from '../../../src/core/score.ts';

export const BAR = ticksPerBar({ numerator: 4, denominator: 4 });
export const Q = PPQ;
export const S16 = PPQ / 4;

export function note(pitch: number, tick: number, durationTicks: number, velocity = 80): ScoreNote {
  return { pitch, tick, durationTicks, velocity };
}

export function track(role: Role, notes: ScoreNote[], opts: { program?: number; channel?: number } = {}): ScoreTrack {
  return { name: role, role, program: opts.program ?? 0, channel: opts.channel ?? (role === 'drums' ? 9 : 0), notes };
}

/** A score from sections given as [name, bars]; bars are laid end to end. */
export function score(opts: { sections: [string, number][]; tracks: ScoreTrack[]; meter?: Meter; bpm?: number }): Score {
  const meter = opts.meter ?? { numerator: 4, denominator: 4 };
  const bar = ticksPerBar(meter);
  let at = 0;
  const sections = opts.sections.map(([name, bars]) => {
    const s = { name, startTick: at, endTick: at + bars * bar };
    at += bars * bar;
    return s;
  });
  return {
    ppq: PPQ,
    bpm: opts.bpm ?? 120,
    meter,
    key: { tonic: 'C', mode: 'major' },
    durationSec: (at / PPQ) * (60 / (opts.bpm ?? 120)) + 2,
    endTick: at,
    sections,
    chords: [],
    tracks: opts.tracks,
    meta: { title: 't', style: 'lofi', mood: 'calm', seed: 1, generator: 'test', requestJson: '{}', loop: false },
  };
}

/** A 4-bar melody: eight notes per bar pattern, starting at `startTick`, transposed by `shift`. */
export function phrase(startTick: number, shift = 0, pitches = [60, 62, 64, 65, 67, 65, 64, 62]): ScoreNote[] {
  const out: ScoreNote[] = [];
  for (let bar = 0; bar < 4; bar++)
    pitches.forEach((p, i) => out.push(note(p + shift + (bar % 2) * 2, startTick + bar * BAR + i * (Q / 2), Q / 2)));
  return out;
}

/** Interleaved stereo float PCM of a sine at `amplitude` per [seconds, amplitude] segment. */
export function sinePcm(segments: [number, number][], sampleRate = 48_000): { samples: Float32Array; sampleRate: number; channels: number } {
  const frames = segments.reduce((a, [sec]) => a + Math.round(sec * sampleRate), 0);
  const samples = new Float32Array(frames * 2);
  let f = 0;
  for (const [sec, amp] of segments) {
    const n = Math.round(sec * sampleRate);
    for (let i = 0; i < n; i++, f++) {
      const v = amp * Math.sin((2 * Math.PI * 440 * f) / sampleRate);
      samples[2 * f] = v;
      samples[2 * f + 1] = v;
    }
  }
  return { samples, sampleRate, channels: 2 };
}

/** A 16-bit PCM WAV file of the samples. */
export function encodeWav(pcm: { samples: Float32Array; sampleRate: number; channels: number }): Buffer {
  const data = Buffer.alloc(pcm.samples.length * 2);
  pcm.samples.forEach((v, i) => data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32767))), i * 2));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(pcm.channels, 22);
  header.writeUInt32LE(pcm.sampleRate, 24);
  header.writeUInt32LE(pcm.sampleRate * pcm.channels * 2, 28);
  header.writeUInt16LE(pcm.channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
