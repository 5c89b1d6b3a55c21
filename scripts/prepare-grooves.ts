/**
 * Builds models/drums/grooves.json, the drum retrieval library, from the Groove MIDI Dataset
 * (../shared/datasets/groove, CC BY 4.0, Gillick et al. 2019). Train + validation performances only
 * (the test split is kept out for evaluation).
 *
 *   npx tsx scripts/prepare-grooves.ts
 *
 * Each performance becomes one clip: for beats, the 2-bar window (on bar lines) whose quantized
 * onset pattern recurs most often in the performance — its most typical loop; for fills, the first
 * bar. Notes keep their microtiming (offset from the 16th grid, in ticks at PPQ 480) and velocity.
 * Drum keys are reduced to a small GM set (Roland TD-11 articulations → one key each).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import midiPkg from '@tonejs/midi';

const { Midi } = midiPkg;
const ROOT = process.env.GROOVE_DIR ?? join(import.meta.dirname, '../../shared/datasets/groove');
const OUT = join(import.meta.dirname, '../models/drums');

// GMD (Roland) key → GM key we play. Unlisted keys are dropped.
const KEY_MAP: Record<number, number> = {
  36: 36, 35: 36, // kick
  38: 38, 40: 38, // snare head / rim shot
  37: 37, // side stick
  39: 39, // clap
  42: 42, 22: 42, // closed hi-hat (bow / edge)
  44: 44, // pedal hi-hat
  46: 46, 26: 46, // open hi-hat
  43: 41, 58: 41, 41: 41, // floor tom
  47: 45, 45: 45, // low-mid tom
  48: 50, 50: 50, // high tom
  49: 49, 52: 49, 55: 49, 57: 49, // crashes
  51: 51, 59: 51, // ride
  53: 53, // ride bell
};

interface Clip {
  id: string;
  style: string;
  bpm: number;
  kind: 'beat' | 'fill';
  meter: string;
  bars: number;
  /** Mean velocity (0–127) × onsets per bar, for energy ranking. */
  intensity: number;
  energy: 0 | 1 | 2;
  /** [step, GM key, velocity 1–127, micro ticks (−60..59 at PPQ 480)] */
  notes: [number, number, number, number][];
}

function parseCsv(text: string): Record<string, string>[] {
  const [head, ...rows] = text.trim().split('\n');
  const cols = head!.split(',');
  return rows.map((r) => {
    const f = r.split(',');
    return Object.fromEntries(cols.map((c, i) => [c, f[i] ?? '']));
  });
}

function main(): void {
  const rows = parseCsv(readFileSync(join(ROOT, 'info.csv'), 'utf8')).filter((r) => r.split !== 'test');
  const clips: Clip[] = [];
  for (const r of rows) {
    const [num, den] = r.time_signature!.split('-').map(Number) as [number, number];
    if (!['4-4', '3-4', '6-8'].includes(r.time_signature!)) continue;
    const bpm = Number(r.bpm);
    const midi = new Midi(readFileSync(join(ROOT, r.midi_filename!)));
    const stepSec = 60 / bpm / 4;
    const stepsPerBar = (num * 16) / den;
    const notes = midi.tracks
      .flatMap((t) => t.notes)
      .filter((n) => KEY_MAP[n.midi] !== undefined)
      .map((n) => {
        const exact = n.time / stepSec;
        const step = Math.round(exact);
        return { step, key: KEY_MAP[n.midi]!, vel: Math.max(1, Math.round(n.velocity * 127)), micro: Math.max(-60, Math.min(59, Math.round((exact - step) * 120))) };
      })
      .sort((a, b) => a.step - b.step || a.key - b.key);
    if (notes.length < 4) continue;
    const kind = r.beat_type === 'fill' ? 'fill' : 'beat';
    const bars = kind === 'beat' ? 2 : 1;
    const win = bars * stepsPerBar;
    const totalBars = Math.floor((notes[notes.length - 1]!.step + 1) / stepsPerBar);
    let start = 0;
    if (kind === 'beat' && totalBars >= 2 * bars) {
      // The most typical loop: the window whose (step, key) onset set recurs most often.
      const sig = (s0: number) =>
        notes
          .filter((n) => n.step >= s0 && n.step < s0 + win)
          .map((n) => `${n.step - s0}:${n.key}`)
          .join(',');
      const counts = new Map<string, { n: number; first: number }>();
      for (let b = 0; b + bars <= totalBars; b++) {
        const k = sig(b * stepsPerBar);
        const c = counts.get(k);
        if (c) c.n++;
        else counts.set(k, { n: 1, first: b * stepsPerBar });
      }
      start = [...counts.values()].sort((a, b) => b.n - a.n || a.first - b.first)[0]!.first;
    }
    const inWin = notes.filter((n) => n.step >= start && n.step < start + win);
    if (inWin.length < 4) continue;
    const meanVel = inWin.reduce((a, n) => a + n.vel, 0) / inWin.length;
    clips.push({
      id: r.id!,
      style: r.style!.split('/')[0]!,
      bpm,
      kind,
      meter: `${num}/${den}`,
      bars,
      intensity: Math.round(meanVel * (inWin.length / bars)),
      energy: 0,
      notes: inWin.map((n) => [n.step - start, n.key, n.vel, n.micro]),
    });
  }
  // Energy: tertiles of intensity within each kind.
  for (const kind of ['beat', 'fill'] as const) {
    const xs = clips.filter((c) => c.kind === kind).map((c) => c.intensity).sort((a, b) => a - b);
    const t1 = xs[Math.floor(xs.length / 3)]!;
    const t2 = xs[Math.floor((2 * xs.length) / 3)]!;
    for (const c of clips) if (c.kind === kind) c.energy = c.intensity < t1 ? 0 : c.intensity < t2 ? 1 : 2;
  }
  mkdirSync(OUT, { recursive: true });
  const lib = {
    format: 'tunesmith-groove-library@1',
    source: 'Groove MIDI Dataset (Gillick, Roberts, Engel, Eck, Bamman 2019), train+validation splits',
    license: 'CC BY 4.0 — credit Google Magenta; https://magenta.tensorflow.org/datasets/groove',
    ppq: 480,
    clips,
  };
  writeFileSync(join(OUT, 'grooves.json'), JSON.stringify(lib));
  const byStyle: Record<string, number> = {};
  for (const c of clips) byStyle[`${c.style}/${c.kind}`] = (byStyle[`${c.style}/${c.kind}`] ?? 0) + 1;
  const count = (kind: string) => clips.filter((c) => c.kind === kind).length;
  const card = `# Model card: drums (groove retrieval library)

Written by \`npx tsx scripts/prepare-grooves.ts\`, which also rebuilds \`grooves.json\`.

**What it is.** Not a neural network: a retrieval library of ${clips.length} human drum clips
(${count('beat')} beats, ${count('fill')} fills) from the Groove MIDI Dataset, quantized to 16ths with each hit's
microtiming (offset from the grid, ticks at PPQ 480) and velocity kept. \`src/neural/drums.ts\` picks a beat per
section and a fill for the section's last bar by style (catalog drum feel → Groove MIDI styles), tempo
(nearest in octaves) and energy (tertiles of mean velocity × hits per bar), seeded; a beat must keep time in
every bar (kick and snare, or a ride/hi-hat pulse for swing), since some windows start on a bar of hi-hat alone. Retrieval was chosen
over a generative drum model because real performances carry the feel (microtiming, ghost notes) that a
small model trained in minutes would blur, and every clip is a complete, musically valid pattern.

**Data and licence.** Groove MIDI Dataset (Gillick, Roberts, Engel, Eck, Bamman 2019), CC BY 4.0 —
credit Google Magenta, https://magenta.tensorflow.org/datasets/groove. Train and validation performances
only (the dataset's own split); the test split is held out. Meters 4/4, 3/4, 6/8.

**Clips per style/kind:** ${Object.entries(byStyle).sort().map(([k, v]) => `${k} ${v}`).join(', ')}.

**Limits.** Few clips for some feels (dance, country, 3/4 and 6/8); a clip's tempo is matched, not
time-stretched, so microtiming is kept in ticks (it scales with the requested tempo); no half/double-time.
`;
  writeFileSync(join(OUT, 'MODEL_CARD.md'), card);
  console.log(`${clips.length} clips → ${OUT}/grooves.json`, byStyle);
}

main();
