/**
 * `npm run bench [-- --format ogg|mp3|wav --style lofi --mood calm --runs 5 --compose-only]`
 *
 * For 10, 30, 60 and 120 s pieces: our render (MIDI in → normalised, tagged file out, renderAudio)
 * against the physical floor on the same MIDI, in the same run: the bare shell pipeline
 * `fluidsynth -F - FONT MIDI | ffmpeg -f s16le -i - -t DURATION CODEC OUT`, with the same synth
 * flags and environment, the same codec options and the same output length (ffmpeg stops at the
 * piece's end; fluidsynth then dies on its closed pipe). The floor starts a cold fluidsynth, as a
 * bare pipeline must; ours renders on the worker's warm synthesiser when it has one (the synth path
 * is printed), and for Ogg Opus on warm encoders (started ahead, as a worker keeps them; the bench
 * waits, untimed, until a refill has started before the next run). Runs alternate floor and ours (which one goes first alternates too), each ratio is
 * one pair's, and min / median / max of the ratios are printed with the load average before and after.
 * Then the compose + MIDI time of 60 s pieces in every style (the 100 ms target) and of the largest
 * requests the limits allow (the 5 s target).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { StyleCatalog } from '../src/core/catalog/index.ts';
import { compose } from '../src/core/compose.ts';
import { defaultMelodyGenerator } from '../src/neural/defaultGenerator.ts';
import { CompositionRequestSchema, FORMATS, LIMITS, type AudioFormat } from '../src/core/request.ts';
import { scoreToMidi } from '../src/midi/scoreToMidi.ts';
import { codecOptions, FORMAT_INFO } from '../src/render/encode.ts';
import { keepRenderersWarm, renderAudio, type RenderResult } from '../src/render/render.ts';
import { encoderPool, warmEncoderWanted } from '../src/render/warm/warmEncoder.ts';
import { resolveSoundFont } from '../src/render/soundfont.ts';
import { fluidsynthArgs, fluidsynthEnv, SAMPLE_RATE } from '../src/render/synth.ts';
import { findTools } from '../src/render/tools.ts';
import { synthdBinary, warmSynthWanted } from '../src/render/warm/warmSynth.ts';

const DURATIONS = [10, 30, 60, 120];
const TARGET = 1.15;
const run = promisify(execFile);

const { values: args } = parseArgs({
  options: {
    format: { type: 'string', default: 'ogg' },
    style: { type: 'string', default: 'lofi' },
    mood: { type: 'string', default: 'calm' },
    runs: { type: 'string', default: '5' },
    /** Only the largest-request compose + MIDI lines (no rendering). */
    'compose-only': { type: 'boolean', default: false },
  },
});
const format = args.format as AudioFormat;
if (!FORMATS.includes(format)) throw new Error(`--format must be one of ${FORMATS.join(', ')}`);
const runs = Math.max(1, Number(args.runs));

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => {
  const s = sorted(xs);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

async function timed<T>(work: () => T | Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

/** The floor's shell command for one piece. */
function floorCommand(midiPath: string, outPath: string, durationSec: number): string {
  const tools = findTools();
  const synth = [tools.fluidsynth, ...fluidsynthArgs(resolveSoundFont(), midiPath)].map(quote).join(' ');
  const input = ['-f', 's16le', '-ar', String(SAMPLE_RATE), '-ch_layout', 'stereo', '-i', '-'];
  const encode = [tools.ffmpeg, '-v', 'error', '-y', ...input, '-t', String(durationSec), ...codecOptions(format), outPath].map(quote).join(' ');
  return `${synth} | ${encode}`;
}

async function floorMs(piece: Piece, dir: string): Promise<number> {
  const out = join(dir, `floor-${piece.seconds}.${FORMAT_INFO[format].extension}`);
  const [, ms] = await timed(() => run('sh', ['-c', floorCommand(piece.midiPath, out, piece.seconds)], { env: fluidsynthEnv() }));
  return ms;
}

async function oursMs(piece: Piece): Promise<[RenderResult, number]> {
  const timing = await timed(() => renderAudio({ midi: piece.midi, durationSec: piece.seconds, format, tags: { title: `bench ${piece.seconds} s` } }));
  // Not timed: the warm encoders refilled after this render finish starting, as they do on a
  // worker between jobs, so their start-up never falls inside the next timed run (ours or the floor's).
  await encoderPool.settled();
  return timing;
}

interface Piece {
  seconds: number;
  midi: Uint8Array;
  midiPath: string;
  composeMs: number;
}

async function makePiece(seconds: number, dir: string): Promise<Piece> {
  const request = CompositionRequestSchema.parse({
    style: args.style, mood: args.mood, durationSec: seconds, tempo: null, key: null, meter: null,
    instruments: [], energy: null, seed: 20_240_601, loop: false, prompt: '',
  });
  const generator = await defaultMelodyGenerator();
  const [midi, composeMs] = await timed(async () => scoreToMidi((await compose(request, generator)).score).bytes);
  const midiPath = join(dir, `bench-${seconds}.mid`);
  await writeFile(midiPath, midi);
  return { seconds, midi, midiPath, composeMs };
}

/**
 * The 100 ms target: compose + MIDI of a 60 s piece, for every style of the catalog and `runs` seeds
 * each (moods cycle), each piece the best of two (the first compose of a process also loads nothing:
 * the generator is loaded before). CPU time is printed too, for a loaded machine.
 */
async function sixtySecondLines(): Promise<void> {
  const generator = await defaultMelodyGenerator();
  const moods = ['epic', 'energetic', 'dark', 'calm', 'happy', 'sad'];
  const all: { label: string; ms: number; cpu: number }[] = [];
  for (const style of StyleCatalog.styleIds) {
    for (let seed = 1; seed <= Math.max(3, runs); seed++) {
      const request = CompositionRequestSchema.parse({
        style, mood: moods[seed % moods.length], durationSec: 60, tempo: null, key: null, meter: null,
        instruments: [], energy: null, seed, loop: false, prompt: '',
      });
      let best = { ms: Infinity, cpu: Infinity };
      for (let k = 0; k < 2; k++) {
        const cpuStart = process.cpuUsage();
        const [, ms] = await timed(async () => scoreToMidi((await compose(request, generator)).score));
        const cpu = process.cpuUsage(cpuStart);
        if (ms < best.ms) best = { ms, cpu: (cpu.user + cpu.system) / 1000 };
      }
      all.push({ label: `${style} seed ${seed}`, ...best });
    }
  }
  const ms = sorted(all.map((a) => a.ms));
  const at = (q: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!);
  const over = all.filter((a) => a.ms > 100);
  console.log(
    `60 s pieces (${StyleCatalog.styleIds.length} styles × ${Math.max(3, runs)} seeds): compose + MIDI min ${Math.round(ms[0]!)} / median ${Math.round(median(ms))} / p90 ${at(0.9)} / max ${Math.round(ms[ms.length - 1]!)} ms, ` +
      `CPU max ${Math.round(Math.max(...all.map((a) => a.cpu)))} ms; over the 100 ms target: ${over.length ? over.map((a) => `${a.label} ${Math.round(a.ms)} ms`).join(', ') : 'none'}`,
  );
}

/** The 5 s target: compose + MIDI of the largest requests the limits allow, min/median/max of `runs`. */
async function worstCaseLines(): Promise<void> {
  const generator = await defaultMelodyGenerator();
  const cases = [['12/8', false], ['12/8', true], ['4/4', false], ['4/4', true]] as const;
  const samples = new Map<string, number[]>(cases.map(([m, l]) => [`${m}${l ? ' loop' : ''}`, []]));
  /** CPU time too: on a shared machine it shows what the work costs without the other processes' share. */
  const cpuSamples = new Map<string, number[]>(cases.map(([m, l]) => [`${m}${l ? ' loop' : ''}`, []]));
  for (let i = 0; i < runs; i++) {
    for (const [meter, loop] of cases) {
      // Interleaved, so background load falls on every case alike.
      const request = CompositionRequestSchema.parse({
        style: 'edm', mood: 'energetic', durationSec: LIMITS.duration.max, tempo: LIMITS.tempo.max, key: null, meter,
        instruments: [], energy: 'high', seed: 11 + i, loop, prompt: '',
      });
      const cpuStart = process.cpuUsage();
      const [, ms] = await timed(async () => {
        const { score } = await compose(request, generator);
        scoreToMidi(score);
        if (loop) scoreToMidi(score, { loopPreRoll: true }); // the render's pre-roll copy
      });
      const cpu = process.cpuUsage(cpuStart);
      samples.get(`${meter}${loop ? ' loop' : ''}`)!.push(ms);
      cpuSamples.get(`${meter}${loop ? ' loop' : ''}`)!.push((cpu.user + cpu.system) / 1000);
    }
  }
  for (const [name, ms] of samples) {
    const sorted = [...ms].sort((a, b) => a - b);
    const verdict = sorted[sorted.length - 1]! <= 5000 ? 'within' : 'OVER';
    console.log(
      `largest request (edm, high energy, ${LIMITS.duration.max} s, ${LIMITS.tempo.max} bpm, ${name}): compose + MIDI ` +
        `min ${Math.round(sorted[0]!)} / median ${Math.round(median(sorted))} / max ${Math.round(sorted[sorted.length - 1]!)} ms ` +
        `(CPU max ${Math.round(Math.max(...cpuSamples.get(name)!))} ms) — ${verdict} the 5000 ms target`,
    );
  }
}

interface Samples {
  ours: number[];
  floor: number[];
  ratio: number[];
  last?: RenderResult;
}

function printTable(pieces: Piece[], samples: Map<number, Samples>): void {
  const head = ['piece', 'floor (median)', 'render (median)', 'render/floor min', 'median', 'max', `≤ ${TARGET}×`, 'split', 'encodes', 'compose'];
  const ms = (x: number) => `${Math.round(x)} ms`;
  const lines = pieces.map((p) => {
    const s = samples.get(p.seconds)!;
    const r = sorted(s.ratio);
    return [
      `${p.seconds} s`, ms(median(s.floor)), ms(median(s.ours)),
      `${r[0]!.toFixed(2)}×`, `${median(r).toFixed(2)}×`, `${r.at(-1)!.toFixed(2)}×`, median(r) <= TARGET ? 'yes' : 'NO',
      s.last?.split ? `at ${s.last.split.seamSec.toFixed(1)} s` : 'no', String(s.last?.encodedInParts ?? '?'), ms(p.composeMs),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  console.log(fmt(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(fmt(l));
}

async function synthPath(): Promise<string> {
  if (!warmSynthWanted()) return 'fluidsynth CLI per render (TUNESMITH_WARM_SYNTH=0)';
  try {
    return `warm synthesiser ${await synthdBinary()}`;
  } catch (e) {
    return `fluidsynth CLI per render (${(e as Error).message})`;
  }
}

async function main(): Promise<void> {
  if (args['compose-only']) {
    console.log(`machine: ${cpus().length} CPUs, load average ${load()} (before)`);
    await sixtySecondLines();
    await worstCaseLines();
    console.log(`load average ${load()} (after)`);
    return;
  }
  const font = resolveSoundFont();
  console.log(`Tunesmith bench: ${format}, ${args.style}/${args.mood}, SoundFont ${font.path}, ${runs} interleaved runs`);
  console.log(`synth: ${await synthPath()}`);
  console.log(`fluidsynth flags: ${fluidsynthArgs(font, '<midi>').join(' ')}`);
  console.log(`floor: ${floorCommand('<midi>', `<out>.${FORMAT_INFO[format].extension}`, 0).replace("'-t' '0'", "'-t' <duration>")}`);
  console.log(`machine: ${cpus().length} CPUs, load average ${load()} (before)`);
  // As a worker does at start-up: warm synthesisers and (Ogg Opus) warm encoders, refilled after each render.
  await keepRenderersWarm({ format });
  console.log(`encoders: ${format === 'ogg' && warmEncoderWanted() ? 'warm ffmpeg encoders, refilled between runs (untimed wait until started)' : 'one ffmpeg started per render'}`);
  const dir = await mkdtemp(join(tmpdir(), 'tunesmith-bench-'));
  try {
    const pieces: Piece[] = [];
    for (const seconds of DURATIONS) pieces.push(await makePiece(seconds, dir));
    // Warm-up, not counted: page cache, fluent-ffmpeg's capability probe, the warm synthesisers' start.
    const [, warmUpMs] = await timed(async () => {
      for (const p of pieces.slice(0, 2)) await Promise.all([oursMs(p), floorMs(p, dir)]);
      await oursMs(pieces[0]!);
    });
    console.log(`warm-up (not counted): ${Math.round(warmUpMs)} ms`);
    const samples = new Map<number, Samples>(pieces.map((p) => [p.seconds, { ours: [], floor: [], ratio: [] }]));
    for (let i = 0; i < runs; i++) {
      for (const p of pieces) {
        const s = samples.get(p.seconds)!;
        let ours: number;
        let floor: number;
        let result: RenderResult;
        if (i % 2 === 0) {
          [result, ours] = await oursMs(p);
          floor = await floorMs(p, dir);
        } else {
          floor = await floorMs(p, dir);
          [result, ours] = await oursMs(p);
        }
        s.ours.push(ours);
        s.floor.push(floor);
        s.ratio.push(ours / floor);
        s.last = result;
        console.error(`run ${i + 1} ${p.seconds} s: ours ${Math.round(ours)} ms, floor ${Math.round(floor)} ms, ratio ${(ours / floor).toFixed(2)}, load ${loadavg()[0]!.toFixed(2)}`);
      }
    }
    printTable(pieces, samples);
    await sixtySecondLines();
    await worstCaseLines();
    console.log(`load average ${load()} (after)`);
    console.log('render = renderAudio: MIDI in → normalised, limited, tagged file of the exact length out. Each ratio is one interleaved pair.');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
// Idle warm synthesisers do not hold the process, but say so explicitly.
process.exit(0);
