/**
 * Rebuilds data/melody/ from ../shared/datasets/pop909 (never copies dataset files into the repo).
 *
 *   npm run prepare-data            # writes data/melody/{train,valid,test}.json and stats.json
 *
 * Per song: the MELODY track is quantized to 16th notes on the song's own beat grid
 * (beat_midi.txt, so tempo drift and the MIDI's lead-in offset do not matter), chords come from
 * chord_midi.txt, keys from key_audio.txt. Each key segment becomes one piece, transposed so its
 * tonic is C. Songs are split 80/10/10 into train/valid/test by song with a fixed seed; the bins
 * for tempo, density and register are tertiles of the *training* pieces only.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import midiPkg from '@tonejs/midi';
import { createRng } from '../src/core/rng.ts';
import {
  BLOCK_BARS,
  HOLD,
  REST,
  STEPS_PER_BAR,
  binOf,
  blockStats,
  modeFamily,
  parseHarteChord,
  parsePitchClass,
  pitchToToken,
  rotateChroma,
  shiftToC,
  type DataStats,
  type PreparedPiece,
} from '../src/neural/representation.ts';

const { Midi } = midiPkg;
const DATASET = process.env.POP909_DIR ?? join(import.meta.dirname, '../../shared/datasets/pop909/POP909');
const OUT = join(import.meta.dirname, '../data/melody');
export const SPLIT_SEED = 909;
/** Melody gaps of this many 16ths (2 bars) or more split a song into separate pieces. */
const MAX_GAP = 32;

function readTable(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/));
}

/** Piecewise-linear seconds → beats on the annotated beat grid, extrapolated at both ends. */
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

interface RawPiece extends Omit<PreparedPiece, 'tempoBin' | 'densityBin' | 'registerBin'> {
  song: string;
}

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
  // The model's bar position input assumes 4/4; the 29 songs in 3/4 or 6/8 are left out (model card).
  if (modalGap !== 4) return skip('not 4/4'), [];
  const toBeat = makeBeatClock(beatTimes);
  const toStep = (sec: number) => Math.round(toBeat(sec) * 4);
  const totalSteps = beats.length * 4;

  // Bar position: beats since the last annotated downbeat (mod 4) — robust to the odd irregular bar.
  const firstDown = downs[0] ?? 0;
  const beatPos = new Int32Array(beats.length);
  let last = firstDown - 4 * Math.ceil(firstDown / 4);
  for (let b = 0; b < beats.length; b++) {
    if (beats[b]![2] === 1) last = b;
    beatPos[b] = (((b - last) % 4) + 4) % 4;
  }
  const posOf = (step: number) => beatPos[Math.floor(step / 4)]! * 4 + (step % 4);

  const midi = new Midi(readFileSync(join(dir, `${id}.mid`)));
  const melody = midi.tracks.find((t) => t.name.trim().toUpperCase() === 'MELODY');
  if (!melody || melody.notes.length < 16) return skip('no melody'), [];

  // Melody grid: monophonic; simultaneous onsets keep the highest note; a note holds until its
  // quantized end or the next onset, whichever comes first.
  const notes = melody.notes
    .map((n) => ({ pitch: n.midi, on: toStep(n.time), off: toStep(n.time + n.duration) }))
    .filter((n) => n.on >= 0 && n.on < totalSteps)
    .sort((a, b) => a.on - b.on || b.pitch - a.pitch);
  const pitchAt = new Int16Array(totalSteps).fill(-1); // -1 none, else MIDI pitch of a note-on
  const offAt = new Int32Array(totalSteps);
  for (const n of notes) {
    if (pitchAt[n.on]! >= 0) continue; // same-step onset: highest already placed
    pitchAt[n.on] = n.pitch;
    offAt[n.on] = Math.min(totalSteps, Math.max(n.off, n.on + 1));
  }
  const absTokens: number[] = new Array(totalSteps).fill(REST); // pitch+2 encoded later per key
  const absPitch = new Int16Array(totalSteps).fill(-1);
  let sounding = -1;
  let soundingOff = 0;
  for (let s = 0; s < totalSteps; s++) {
    if (pitchAt[s]! >= 0) {
      sounding = pitchAt[s]!;
      soundingOff = offAt[s]!;
      absPitch[s] = sounding;
      absTokens[s] = -1; // marker: note-on
    } else if (sounding >= 0 && s < soundingOff) absTokens[s] = HOLD;
    else sounding = -1;
  }

  // Chords per step (absolute pitch classes).
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

  // Key segments (key_audio.txt is in audio seconds; the MIDI is aligned to the audio).
  const keyRows = readTable(join(dir, 'key_audio.txt'));
  if (keyRows.length === 0) return skip('no key'), [];
  const pieces: RawPiece[] = [];
  const intervals = beatTimes.slice(1).map((t, i) => t - beatTimes[i]!).sort((a, b) => a - b);
  const bpm = 60 / intervals[Math.floor(intervals.length / 2)]!;
  keyRows.forEach(([start, end, label], k) => {
    const [tonicName, q] = (label ?? '').split(':');
    const tonic = parsePitchClass(tonicName ?? '');
    if (tonic === null) return skip('bad key label');
    const mode = modeFamily(q === 'min' ? 'minor' : 'major');
    const from = k === 0 ? 0 : Math.max(0, toStep(Number(start)));
    const to = k === keyRows.length - 1 ? totalSteps : Math.min(totalSteps, toStep(Number(end)));
    // Split at melody gaps of MAX_GAP steps or more (instrumental intros and interludes): the
    // model should learn phrases and their rests, not minutes of silence. Each part starts on the
    // bar line before its first note and ends with its last sounding step.
    const parts: Array<[number, number]> = [];
    let first = -1;
    let lastSounding = -1;
    for (let s = from; s <= to; s++) {
      const sounding = s < to && absTokens[s] !== REST;
      if (s < to && absPitch[s]! >= 0 && first < 0) first = s;
      if (first >= 0 && (s === to || (!sounding && s - lastSounding >= MAX_GAP))) {
        parts.push([first, lastSounding + 1]);
        first = -1;
      }
      if (sounding && first >= 0) lastSounding = s;
    }
    if (parts.length === 0) return skip('key segment without melody');
    const shift = shiftToC(tonic);
    parts.forEach(([firstNote, end], partIndex) => {
      let a = firstNote;
      while (a > from && posOf(a) !== 0) a--;
      const b = Math.min(to, end);
      if (b - a < 2 * STEPS_PER_BAR) return skip('phrase group under 2 bars');
      const piece: RawPiece = { id: `${id}-${k}-${partIndex}`, song: id, bpm, tokens: [], pos: [], root: [], chroma: [], mode, tonicPc: tonic };
      for (let s = a; s < b; s++) {
        const t = absTokens[s]!;
        // A hold whose note-on was before the part's start becomes a rest.
        piece.tokens.push(t === -1 ? pitchToToken(absPitch[s]! + shift) : t === HOLD && (piece.tokens.length === 0 || piece.tokens[piece.tokens.length - 1] === REST) ? REST : t);
        piece.pos.push(posOf(s));
        piece.root.push(chordRoot[s]! < 0 ? -1 : (chordRoot[s]! + shift + 12) % 12);
        piece.chroma.push(chordRoot[s]! < 0 ? 0 : rotateChroma(chordMask[s]!, shift));
      }
      pieces.push(piece);
    });
  });
  return pieces;
}

function tertiles(values: number[]): number[] {
  const v = [...values].sort((a, b) => a - b);
  return [v[Math.floor(v.length / 3)]!, v[Math.floor((2 * v.length) / 3)]!].map((x) => Math.round(x * 100) / 100);
}

function blocks(p: { tokens: number[] }): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const len = BLOCK_BARS * STEPS_PER_BAR;
  for (let a = 0; a < p.tokens.length; a += len) out.push([a, Math.min(p.tokens.length, a + len)]);
  return out;
}

function main(): void {
  if (!existsSync(DATASET)) throw new Error(`POP909 not found at ${DATASET} (set POP909_DIR)`);
  const songs = readdirSync(DATASET).filter((d) => /^\d+$/.test(d)).sort();
  // Split by song with a fixed seed (Fisher–Yates on the sorted list).
  const order = [...songs];
  const rng = createRng(SPLIT_SEED);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const nTest = Math.round(order.length * 0.1);
  const nValid = nTest;
  const splitOf = new Map<string, 'train' | 'valid' | 'test'>();
  order.forEach((s, i) => splitOf.set(s, i < nTest ? 'test' : i < nTest + nValid ? 'valid' : 'train'));

  const raw: RawPiece[] = [];
  for (const id of songs) {
    try {
      raw.push(...prepareSong(id));
    } catch (err) {
      skip(`error: ${(err as Error).message.slice(0, 60)}`);
    }
  }
  const train = raw.filter((p) => splitOf.get(p.song) === 'train');
  const tempoThresholds = tertiles(train.map((p) => p.bpm));
  const dens: number[] = [];
  const reg: number[] = [];
  for (const p of train)
    for (const [a, b] of blocks(p)) {
      const st = blockStats(p.tokens, a, b);
      if (st.meanPitch !== null) {
        dens.push(st.notesPerBar);
        reg.push(st.meanPitch);
      }
    }
  const densityThresholds = tertiles(dens);
  const registerThresholds = tertiles(reg);

  const out: Record<'train' | 'valid' | 'test', PreparedPiece[]> = { train: [], valid: [], test: [] };
  for (const p of raw) {
    const densityBin: number[] = [];
    const registerBin: number[] = [];
    let lastReg = 1;
    for (const [a, b] of blocks(p)) {
      const st = blockStats(p.tokens, a, b);
      const d = binOf(st.notesPerBar, densityThresholds);
      // A block with no notes keeps the previous block's register (there is nothing to measure).
      if (st.meanPitch !== null) lastReg = binOf(st.meanPitch, registerThresholds);
      for (let s = a; s < b; s++) {
        densityBin.push(d);
        registerBin.push(lastReg);
      }
    }
    const { song: _song, ...rest } = p;
    out[splitOf.get(p.song)!].push({ ...rest, tempoBin: binOf(p.bpm, tempoThresholds), densityBin, registerBin });
  }

  mkdirSync(OUT, { recursive: true });
  const counts: Record<string, number> = {};
  for (const split of ['train', 'valid', 'test'] as const) {
    writeFileSync(join(OUT, `${split}.json`), JSON.stringify(out[split]));
    counts[`${split}Pieces`] = out[split].length;
    counts[`${split}Songs`] = new Set(out[split].map((p) => p.id.split('-')[0])).size;
    counts[`${split}Steps`] = out[split].reduce((a, p) => a + p.tokens.length, 0);
    counts[`${split}Notes`] = out[split].reduce((a, p) => a + p.tokens.filter((t) => t >= 2).length, 0);
  }
  const stats: DataStats & { skipped: Record<string, number>; splitSeed: number } = {
    tempoThresholds,
    densityThresholds,
    registerThresholds,
    splits: {
      train: order.filter((s) => splitOf.get(s) === 'train').sort(),
      valid: order.filter((s) => splitOf.get(s) === 'valid').sort(),
      test: order.filter((s) => splitOf.get(s) === 'test').sort(),
    },
    counts,
    skipped,
    splitSeed: SPLIT_SEED,
  };
  writeFileSync(join(OUT, 'stats.json'), JSON.stringify(stats, null, 1));
  console.log(JSON.stringify({ tempoThresholds, densityThresholds, registerThresholds, counts, skipped }, null, 1));
}

main();
