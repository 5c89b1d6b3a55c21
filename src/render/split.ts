/**
 * Parallel synthesis: fluidsynth uses one core, so a piece is cut at a bar line near its middle
 * where no note sounds across, and the two halves render at once in two processes. The second
 * half starts a few seconds early (pre-roll) so release tails and reverb are already ringing at
 * the seam, and the halves are joined with a short equal-gain crossfade. On two cores this about
 * halves the synthesis time, which is what lets normalise-then-encode keep up with a bare
 * `fluidsynth | ffmpeg` pipe.
 */
import tonejs from '@tonejs/midi';
import { encodeMidi } from '../midi/encodeMidi.ts';

const { Midi } = tonejs;

export interface SplitPlan {
  /** MIDI for [0, seam] (with an event just past the seam so fluidsynth renders up to it). */
  first: Uint8Array;
  /** MIDI for [seam − preRoll, end], shifted to start at 0. */
  second: Uint8Array;
  /** Seconds from the start of the piece to the seam. */
  seamSec: number;
  /** Seconds of pre-roll at the start of the second half's audio. */
  preRollSec: number;
}

/** Enough for FluidR3's longest releases and its reverb to reach the seam as they would. */
const PRE_ROLL_SEC = 3;
/** Splitting shorter pieces saves less than the second process costs. */
export const MIN_SPLIT_SEC = 8;

/**
 * Find a seam and build the two halves, or null when the MIDI is unsuitable (tempo changes,
 * too short, or no bar line in the middle third without a note sounding across it).
 */
export function planSplit(midiBytes: Uint8Array, totalSec: number, crossfadeSec: number): SplitPlan | null {
  if (totalSec < MIN_SPLIT_SEC) return null;
  const midi = new Midi(midiBytes);
  if (midi.header.tempos.length > 1 || midi.header.timeSignatures.length > 1) return null;
  const ppq = midi.header.ppq;
  const bpm = midi.header.tempos[0]?.bpm ?? 120;
  const [num, den] = (midi.header.timeSignatures[0]?.timeSignature ?? [4, 4]) as [number, number];
  const barTicks = (ppq * 4 * num) / den;
  const secPerTick = 60 / bpm / ppq;
  const notes = midi.tracks.flatMap((t) => t.notes.map((n) => [n.ticks, n.ticks + n.durationTicks] as const));

  let seamTick: number | undefined;
  // Balance the work: the second half also renders its pre-roll.
  const middle = (totalSec + PRE_ROLL_SEC) / 2 / secPerTick;
  const preRollTicks = Math.round(PRE_ROLL_SEC / secPerTick);
  for (let tick = 0; tick * secPerTick < totalSec; tick += barTicks) {
    const sec = tick * secPerTick;
    if (sec < totalSec / 3 || sec > (2 * totalSec) / 3) continue;
    // A note sounding at the seam is in both halves with its true start, unless it began before
    // the pre-roll: then the second half would re-strike it, so such a seam is no good.
    if (notes.some(([on, off]) => on < tick - preRollTicks && off > tick)) continue;
    if (seamTick === undefined || Math.abs(tick - middle) < Math.abs(seamTick - middle)) seamTick = tick;
  }
  if (seamTick === undefined) return null;
  const startTick = Math.max(0, seamTick - preRollTicks);
  const endOfFirst = seamTick + Math.ceil((crossfadeSec + 0.05) / secPerTick);

  const first = new Midi(midiBytes);
  // Markers after the seam would keep fluidsynth rendering silence up to them.
  first.header.meta = first.header.meta.filter((m) => m.ticks < seamTick);
  for (const track of first.tracks) {
    // Notes sounding across the seam stay whole: the first half is only used up to the seam.
    track.notes = track.notes.filter((note) => note.ticks < seamTick);
    trimControlChanges(track, (t) => t < seamTick);
  }
  // A late event keeps fluidsynth's player running through the crossfade.
  first.tracks[0]?.addCC({ number: 7, value: (first.tracks[0].controlChanges[7]?.[0]?.value ?? 100 / 127), ticks: endOfFirst });

  const second = new Midi(midiBytes);
  for (const track of second.tracks) {
    const kept = track.notes.filter((n) => n.ticks + n.durationTicks > startTick);
    const shifted = kept.map((n) => {
      const on = Math.max(n.ticks, startTick);
      return { midi: n.midi, ticks: on - startTick, durationTicks: n.ticks + n.durationTicks - on, velocity: n.velocity };
    });
    track.notes.splice(0, track.notes.length);
    for (const n of shifted) track.addNote(n);
    // Controllers: the state at the pre-roll start goes to tick 0, later ones shift.
    for (const [number, events] of Object.entries(track.controlChanges)) {
      const before = events.filter((e) => e.ticks <= startTick);
      const after = events.filter((e) => e.ticks > startTick).map((e) => ({ number: Number(number), value: e.value, ticks: e.ticks - startTick }));
      const last = before[before.length - 1];
      track.controlChanges[Number(number)] = [];
      if (last) track.addCC({ number: Number(number), value: last.value, ticks: 0 });
      for (const e of after) track.addCC(e);
    }
    track.pitchBends.splice(0, track.pitchBends.length);
  }
  second.header.meta = [];

  return { first: encodeMidi(first), second: encodeMidi(second), seamSec: seamTick * secPerTick, preRollSec: (seamTick - startTick) * secPerTick };
}

function trimControlChanges(track: InstanceType<typeof Midi>['tracks'][number], keep: (tick: number) => boolean): void {
  for (const [number, events] of Object.entries(track.controlChanges)) {
    track.controlChanges[Number(number)] = events.filter((e) => keep(e.ticks));
  }
}

/**
 * The seam of a split render: `out` holds the first half's frames up to the seam and the second
 * half's from it; over the `fadeFrames` frames before the seam, `out` (first half) and `fromSecond`
 * (the second half's render of the same frames) are mixed with an equal-gain linear crossfade that
 * ends at the seam, in place. The fade sits before the seam because new notes start on it (only in
 * the second half): their attacks must not be faded. (The halves are not sample-identical:
 * fluidsynth starts notes on 64-frame block boundaries counted from the start of each render, so
 * the same note can land up to 1.3 ms apart in the two renders.)
 */
export function crossfadeSeam(out: Buffer, fromSecond: Buffer, seamFrame: number, fadeFrames: number, bytesPerFrame = 4): void {
  const fadeStart = Math.max(0, seamFrame - fadeFrames);
  const n = seamFrame - fadeStart;
  for (let i = 0; i < n; i++) {
    const w = (i + 0.5) / n;
    for (let c = 0; c < bytesPerFrame; c += 2) {
      const at = (fadeStart + i) * bytesPerFrame + c;
      const bi = (fadeFrames - n + i) * bytesPerFrame + c;
      if (at + 1 >= out.length) return;
      const av = out.readInt16LE(at);
      const bv = bi + 1 < fromSecond.length ? fromSecond.readInt16LE(bi) : 0;
      out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(av * (1 - w) + bv * w))), at);
    }
  }
}
