/**
 * Rebuilds data/accomp/ from ../shared/datasets/pop909 (never copies dataset files into the repo).
 *
 *   npx tsx scripts/prepare-accomp.ts     # writes data/accomp/{train,valid,test}.json and stats.json
 *
 * Per song: the PIANO and BRIDGE tracks together are quantized to 16ths on the song's own beat grid
 * (beat_midi.txt, as scripts/prepare-data.ts does for the melody), with the MELODY track (monophonic,
 * highest note) and chords (chord_midi.txt) as conditioning. Each key segment (key_audio.txt) becomes
 * one piece transposed so its tonic is C. Splits are the melody model's (models/melody/splits.json),
 * so no test song of either model is trained on. Intensity bins are tertiles over training blocks.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import midiPkg from '@tonejs/midi';
import { modeFamily, parseHarteChord, parsePitchClass, rotateChroma, shiftToC, binOf } from '../src/neural/representation.ts';
import { BLOCK_BARS, STEPS_PER_BAR, pitchToSlot, type AccompPiece, type AccompStats } from '../src/neural/accompRepresentation.ts';

const { Midi } = midiPkg;
const DATASET = process.env.POP909_DIR ?? join(import.meta.dirname, '../../shared/datasets/pop909/POP909');
const OUT = join(import.meta.dirname, '../data/accomp');
const SPLITS = join(import.meta.dirname, '../models/melody/splits.json');

function readTable(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/));
}

/** Piecewise-linear seconds → beats on the annotated beat grid (same as prepare-data.ts). */
function makeBeatClock(beatTimes: number[]): (sec: number) => number {
  const n = beatTimes.length;
  return (sec) => {
    if (sec <= beatTimes[0]!) return (sec - beatTimes[0]!) / (beatTimes[1]! - beatTimes[0]!);
    if (sec >= beatTimes[n - 1]!) return n - 1 + (sec - beatTimes[n - 1]!) / (beatTimes[n - 1]! - beatTimes[n - 2]!);
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (beatTimes[mid]! <= sec) lo = mid;
      else hi = mid;
    }
    return lo + (sec - beatTimes[lo]!) / (beatTimes[hi]! - beatTimes[lo]!);
  };
}

type RawPiece = Omit<AccompPiece, 'intensity'> & { song: string; onsetsPerStep: number[] };

const skipped: Record<string, number> = {};
const skip = (why: string) => {
  skipped[why] = (skipped[why] ?? 0) + 1;
};

function prepareSong(id: string): RawPiece[] {
  const dir = join(DATASET, id);
  const beats = readTable(join(dir, 'beat_midi.txt')).map((r) => r.map(Number));
  if (beats.length < 16) return skip('too few beats'), [];
  const beatTimes = beats.map((b) => b[0]!);
  const downs = beats.map((b, i) => (b[2] === 1 ? i : -1)).filter((i) => i >= 0);
  const gapCount = new Map<number, number>();
  for (let i = 1; i < downs.length; i++) gapCount.set(downs[i]! - downs[i - 1]!, (gapCount.get(downs[i]! - downs[i - 1]!) ?? 0) + 1);
  const modalGap = [...gapCount.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (modalGap !== 4) return skip('not 4/4'), [];
  const toBeat = makeBeatClock(beatTimes);
  const toStep = (sec: number) => Math.round(toBeat(sec) * 4);
  const totalSteps = beats.length * 4;
  const firstDown = downs[0] ?? 0;
  const beatPos = new Int32Array(beats.length);
  let last = firstDown - 4 * Math.ceil(firstDown / 4);
  for (let b = 0; b < beats.length; b++) {
    if (beats[b]![2] === 1) last = b;
    beatPos[b] = (((b - last) % 4) + 4) % 4;
  }
  const posOf = (step: number) => beatPos[Math.floor(step / 4)]! * 4 + (step % 4);

  const midi = new Midi(readFileSync(join(dir, `${id}.mid`)));
  const byName = (n: string) => midi.tracks.find((t) => t.name.trim().toUpperCase() === n);
  const melody = byName('MELODY');
  const accTracks = [byName('PIANO'), byName('BRIDGE')].filter((t) => t !== undefined);
  if (accTracks.length === 0) return skip('no piano'), [];

  // Accompaniment notes on the grid (absolute pitch).
  const acc = accTracks
    .flatMap((t) => t.notes)
    .map((n) => {
      const on = toStep(n.time);
      return { pitch: n.midi, on, off: Math.max(on + 1, toStep(n.time + n.duration)) };
    })
    .filter((n) => n.on >= 0 && n.on < totalSteps);
  if (acc.length < 32) return skip('too few accompaniment notes'), [];

  // Melody: pitch sounding per step (highest onset wins) and onset flags.
  const melPitch = new Int16Array(totalSteps).fill(-1);
  const melOn = new Uint8Array(totalSteps);
  if (melody) {
    const notes = melody.notes
      .map((n) => ({ pitch: n.midi, on: toStep(n.time), off: toStep(n.time + n.duration) }))
      .filter((n) => n.on >= 0 && n.on < totalSteps)
      .sort((a, b) => a.on - b.on || b.pitch - a.pitch);
    let lastOn = -1;
    for (const n of notes) {
      if (n.on === lastOn) continue;
      lastOn = n.on;
      melOn[n.on] = 1;
      for (let s = n.on; s < Math.min(totalSteps, Math.max(n.off, n.on + 1)); s++) melPitch[s] = n.pitch;
    }
  }

  const chordRoot = new Int16Array(totalSteps).fill(-1);
  const chordMask = new Int32Array(totalSteps);
  for (const [start, end, label] of readTable(join(dir, 'chord_midi.txt'))) {
    const c = parseHarteChord(label ?? 'N');
    if (!c) continue;
    const a = Math.max(0, toStep(Number(start)));
    const b = Math.min(totalSteps, toStep(Number(end)));
    for (let s = a; s < b; s++) {
      chordRoot[s] = c.root;
      chordMask[s] = c.mask;
    }
  }

  const keyRows = readTable(join(dir, 'key_audio.txt'));
  if (keyRows.length === 0) return skip('no key'), [];
  const intervals = beatTimes.slice(1).map((t, i) => t - beatTimes[i]!).sort((a, b) => a - b);
  const bpm = 60 / intervals[Math.floor(intervals.length / 2)]!;
  const firstAcc = Math.min(...acc.map((n) => n.on));
  const lastAcc = Math.max(...acc.map((n) => n.off));
  const pieces: RawPiece[] = [];
  keyRows.forEach(([start, end, label], k) => {
    const [tonicName, q] = (label ?? '').split(':');
    const tonic = parsePitchClass(tonicName ?? '');
    if (tonic === null) return skip('bad key label');
    const mode = modeFamily(q === 'min' ? 'minor' : 'major');
    let a = k === 0 ? 0 : Math.max(0, toStep(Number(start)));
    const b0 = k === keyRows.length - 1 ? totalSteps : Math.min(totalSteps, toStep(Number(end)));
    a = Math.max(a, firstAcc);
    while (a > 0 && posOf(a) !== 0) a--; // start on a bar line
    const b = Math.min(b0, lastAcc);
    if (b - a < 4 * STEPS_PER_BAR) return skip('key segment under 4 bars');
    const shift = shiftToC(tonic);
    const len = b - a;
    const on: number[][] = Array.from({ length: len }, () => []);
    const sus: number[][] = Array.from({ length: len }, () => []);
    const onsetsPerStep = new Array<number>(len).fill(0);
    for (const n of acc) {
      if (n.off <= a || n.on >= b) continue;
      const slot = pitchToSlot(n.pitch + shift);
      for (let s = Math.max(a, n.on); s < Math.min(b, n.off); s++) {
        const t = s - a;
        if (s === n.on) {
          if (!on[t]!.includes(slot)) on[t]!.push(slot);
          onsetsPerStep[t]!++;
        } else if (!sus[t]!.includes(slot)) sus[t]!.push(slot);
      }
    }
    // A slot re-struck at a step is an onset, not a sustain; a sustain whose note had no onset
    // inside the piece (it started before the segment) is kept: the previous-step input shows it.
    for (let t = 0; t < len; t++) {
      sus[t] = sus[t]!.filter((k) => !on[t]!.includes(k) && (t === 0 || on[t - 1]!.includes(k) || sus[t - 1]!.includes(k))).sort((x, y) => x - y);
      on[t]!.sort((x, y) => x - y);
    }
    const piece: RawPiece = {
      id: `${id}-${k}`,
      song: id,
      bpm,
      mode,
      tonicPc: tonic,
      on,
      sus,
      pos: [],
      root: [],
      chroma: [],
      melPc: [],
      melOn: [],
      melPitch: [],
      onsetsPerStep,
    };
    for (let s = a; s < b; s++) {
      piece.pos.push(posOf(s));
      piece.root.push(chordRoot[s]! < 0 ? -1 : (chordRoot[s]! + shift + 12) % 12);
      piece.chroma.push(chordRoot[s]! < 0 ? 0 : rotateChroma(chordMask[s]!, shift));
      piece.melPc.push(melPitch[s]! < 0 ? -1 : (melPitch[s]! + shift + 120) % 12);
      piece.melOn.push(melOn[s]!);
      piece.melPitch.push(melPitch[s]! < 0 ? -1 : melPitch[s]! + shift);
    }
    pieces.push(piece);
  });
  return pieces;
}

function blockDensities(p: RawPiece): number[] {
  const len = BLOCK_BARS * STEPS_PER_BAR;
  const out: number[] = [];
  for (let a = 0; a < p.on.length; a += len) {
    const b = Math.min(p.on.length, a + len);
    let n = 0;
    for (let s = a; s < b; s++) n += p.onsetsPerStep[s]!;
    out.push(n / Math.max(1, (b - a) / STEPS_PER_BAR));
  }
  return out;
}

function main(): void {
  if (!existsSync(DATASET)) throw new Error(`POP909 not found at ${DATASET} (set POP909_DIR)`);
  const splits = JSON.parse(readFileSync(SPLITS, 'utf8')) as Record<'train' | 'valid' | 'test', string[]>;
  const splitOf = new Map<string, 'train' | 'valid' | 'test'>();
  for (const s of ['train', 'valid', 'test'] as const) for (const id of splits[s]) splitOf.set(id, s);
  const raw: RawPiece[] = [];
  for (const id of [...splitOf.keys()].sort()) {
    try {
      raw.push(...prepareSong(id));
    } catch (err) {
      skip(`error: ${(err as Error).message.slice(0, 60)}`);
    }
  }
  const trainDens = raw.filter((p) => splitOf.get(p.song) === 'train').flatMap(blockDensities).sort((a, b) => a - b);
  const intensityThresholds = [trainDens[Math.floor(trainDens.length / 3)]!, trainDens[Math.floor((2 * trainDens.length) / 3)]!].map(
    (x) => Math.round(x * 100) / 100,
  );
  const out: Record<'train' | 'valid' | 'test', AccompPiece[]> = { train: [], valid: [], test: [] };
  for (const p of raw) {
    const dens = blockDensities(p);
    const intensity = p.on.map((_, s) => binOf(dens[Math.floor(s / (BLOCK_BARS * STEPS_PER_BAR))]!, intensityThresholds));
    const { song: _s, onsetsPerStep: _o, ...rest } = p;
    out[splitOf.get(p.song)!].push({ ...rest, intensity });
  }
  mkdirSync(OUT, { recursive: true });
  const counts: Record<string, number> = {};
  for (const split of ['train', 'valid', 'test'] as const) {
    writeFileSync(join(OUT, `${split}.json`), JSON.stringify(out[split]));
    counts[`${split}Pieces`] = out[split].length;
    counts[`${split}Songs`] = new Set(out[split].map((p) => p.id.split('-')[0])).size;
    counts[`${split}Steps`] = out[split].reduce((a, p) => a + p.on.length, 0);
    counts[`${split}Onsets`] = out[split].reduce((a, p) => a + p.on.reduce((x, o) => x + o.length, 0), 0);
  }
  const stats: AccompStats & { skipped: Record<string, number> } = { intensityThresholds, splits, counts, skipped };
  writeFileSync(join(OUT, 'stats.json'), JSON.stringify(stats, null, 1));
  console.log(JSON.stringify({ intensityThresholds, counts, skipped }, null, 1));
}

main();
