/**
 * `npm run bench [-- --format ogg|mp3|wav --style lofi --mood calm --runs 3 --compose-only]`
 *
 * For 10, 30, 60 and 120 s pieces: time per stage (compose, MIDI, render = synth + encode) and
 * end to end, and — on the same MIDI, in the same run — the bare `fluidsynth … | ffmpeg …` shell
 * pipeline with the same synth flags and codec options: the physical floor. Runs are interleaved
 * (ours, floor, ours, floor…) so background load hits both alike; medians are reported.
 * Then the compose + MIDI time of the largest requests the limits allow, against its 5 s target.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { compose } from '../src/core/compose.ts';
import { defaultMelodyGenerator } from '../src/neural/defaultGenerator.ts';
import { CompositionRequestSchema, FORMATS, LIMITS, type AudioFormat } from '../src/core/request.ts';
import { scoreToMidi } from '../src/midi/scoreToMidi.ts';
import { codecOptions } from '../src/render/encode.ts';
import { renderAudio } from '../src/render/render.ts';
import { resolveSoundFont } from '../src/render/soundfont.ts';
import { fluidsynthArgs, SAMPLE_RATE } from '../src/render/synth.ts';
import { findTools } from '../src/render/tools.ts';

const DURATIONS = [10, 30, 60, 120];
const run = promisify(execFile);

const { values: args } = parseArgs({
  options: {
    format: { type: 'string', default: 'ogg' },
    style: { type: 'string', default: 'lofi' },
    mood: { type: 'string', default: 'calm' },
    runs: { type: 'string', default: '3' },
    /** Only the largest-request compose + MIDI lines (no rendering). */
    'compose-only': { type: 'boolean', default: false },
  },
});
const format = args.format as AudioFormat;
if (!FORMATS.includes(format)) throw new Error(`--format must be one of ${FORMATS.join(', ')}`);
const runs = Math.max(1, Number(args.runs));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

async function timed<T>(work: () => T | Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

/** The floor: fluidsynth piped straight into ffmpeg by the shell, no Node, no measurement. */
async function floorMs(midiPath: string, outPath: string): Promise<number> {
  const tools = findTools();
  const synth = [tools.fluidsynth, ...fluidsynthArgs(resolveSoundFont(), midiPath)].map(quote).join(' ');
  const input = ['-f', 's16le', '-ar', String(SAMPLE_RATE), '-ch_layout', 'stereo', '-i', '-'];
  const encode = [tools.ffmpeg, '-v', 'error', '-y', ...input, ...codecOptions(format), outPath].map(quote).join(' ');
  const [, ms] = await timed(() => run('sh', ['-c', `set -e; ${synth} | ${encode}`]));
  return ms;
}

interface Row {
  seconds: number;
  compose: number;
  midi: number;
  synth: number;
  encode: number;
  render: number;
  total: number;
  floor: number;
}

async function benchOne(seconds: number, dir: string): Promise<Row> {
  const request = CompositionRequestSchema.parse({
    style: args.style, mood: args.mood, durationSec: seconds, tempo: null, key: null, meter: null,
    instruments: [], energy: null, seed: 20_240_601, loop: false, prompt: '',
  });
  const samples: Row[] = [];
  const generator = await defaultMelodyGenerator();
  for (let i = 0; i < runs; i++) {
    const [{ score }, composeMs] = await timed(() => compose(request, generator));
    const [midi, midiMs] = await timed(() => scoreToMidi(score));
    const [result, renderMs] = await timed(() =>
      renderAudio({ midi: midi.bytes, durationSec: score.durationSec, format, tags: { ...score.meta } }),
    );
    const midiPath = join(dir, `bench-${seconds}.mid`);
    await writeFile(midiPath, midi.bytes);
    const floor = await floorMs(midiPath, join(dir, `floor-${seconds}.${result.extension}`));
    samples.push({
      seconds, compose: composeMs, midi: midiMs, synth: result.timings.synthMs, encode: result.timings.encodeMs,
      render: renderMs, total: composeMs + midiMs + renderMs, floor,
    });
  }
  const pick = (k: keyof Row) => median(samples.map((s) => s[k]));
  return { seconds, compose: pick('compose'), midi: pick('midi'), synth: pick('synth'), encode: pick('encode'), render: pick('render'), total: pick('total'), floor: pick('floor') };
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

function printTable(rows: Row[]): void {
  const head = ['piece', 'compose', 'MIDI', 'synth', 'encode', 'render', 'end-to-end', 'floor', 'render/floor', 'e2e/floor', 'compose %'];
  const ms = (x: number) => `${Math.round(x)} ms`;
  const lines = rows.map((r) => [
    `${r.seconds} s`, ms(r.compose), ms(r.midi), ms(r.synth), ms(r.encode), ms(r.render), ms(r.total), ms(r.floor),
    `${(r.render / r.floor).toFixed(2)}×`, `${(r.total / r.floor).toFixed(2)}×`, `${((100 * r.compose) / r.total).toFixed(1)}%`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  console.log(fmt(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(fmt(l));
}

async function main(): Promise<void> {
  if (args['compose-only']) {
    console.log(`machine: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (before)`);
    await worstCaseLines();
    console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (after)`);
    return;
  }
  const font = resolveSoundFont();
  console.log(`Tunesmith bench: ${format}, ${args.style}/${args.mood}, SoundFont ${font.path}, median of ${runs} runs`);
  console.log(`melody: ${(await defaultMelodyGenerator()).name}`);
  console.log(`fluidsynth flags: ${fluidsynthArgs(font, '<midi>').join(' ')}`);
  console.log(`machine: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (before)`);
  const dir = await mkdtemp(join(tmpdir(), 'tunesmith-bench-'));
  try {
    await benchOne(DURATIONS[0]!, dir); // warm-up: page cache, fluent-ffmpeg's capability probe
    const rows: Row[] = [];
    for (const seconds of DURATIONS) rows.push(await benchOne(seconds, dir));
    printTable(rows);
    await worstCaseLines();
    console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (after)`);
    console.log('render = MIDI in → encoded, normalised file out (synth + encode + overhead); floor = bare shell pipeline on the same MIDI.');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
