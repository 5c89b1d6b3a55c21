/**
 * The music targets of issue 11, measured for every style of the catalog from the MIDI and the
 * rendered audio of composed pieces (the default generator: neural melody and Groove MIDI drums
 * where they fit, rules elsewhere).
 *
 *   npm run eval:music                               # 10 seeds per style, with audio (~15 min on one core)
 *   npm run eval:music -- --seeds 3 --styles edm,lofi --no-audio   # quick look
 *   npm run eval:music -- --out docs/eval-music.before  # where the .json and .md go
 *   npm run eval:music -- --jobs 2                   # two pieces at a time (two cores)
 *   npm run eval:music -- --resume                   # keep what an interrupted run measured (<out>.partial.json)
 *
 * Needs data/melody (npm run prepare-data) for the POP909 comparison; without it that table is
 * left out. Runs at nice 10 with one render at a time (no split synthesis).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { StyleCatalog } from '../src/core/catalog/index.ts';
import { compose } from '../src/core/compose.ts';
import { bootstrapInterval } from '../src/neural/accompMetrics.ts';
import { RuleBasedMelody } from '../src/core/generator.ts';
import { DATA_DIR, loadSplit } from '../src/neural/dataset.ts';
import { defaultMelodyGenerator } from '../src/neural/defaultGenerator.ts';
import type { Metrics } from '../src/neural/metrics.ts';
import { findTools } from '../src/render/tools.ts';
import { excerptMetrics, melodyOverlap, pop909Excerpts, scoreMelodyExcerpt } from '../src/eval/music/melodyOverlap.ts';
import { markdownReport, styleReports, type MelodyOverlapRow } from '../src/eval/music/report.ts';
import { evaluatePiece } from '../src/eval/music/evaluatePiece.ts';
import { evalMusicRequest, SEED_BASE } from '../src/eval/music/requests.ts';
import { POP_LIKE, type PieceRecord } from '../src/eval/music/targets.ts';

/** User + system CPU seconds of this process and its waited-for children (Linux /proc; 0 elsewhere). */
function cpuSeconds(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ').map(Number);
    // After the command: state is field 3, so utime…cstime (fields 14–17) are at 11–14 here; 100 ticks/s on Linux.
    return (fields[11]! + fields[12]! + fields[13]! + fields[14]!) / 100;
  } catch {
    return 0;
  }
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '10' },
    styles: { type: 'string' },
    'no-audio': { type: 'boolean', default: false },
    out: { type: 'string', default: 'docs/eval-music' },
    'seed-base': { type: 'string', default: String(SEED_BASE) },
    jobs: { type: 'string', default: '1' },
    resume: { type: 'boolean', default: false },
  },
});
const seeds = Number(args.seeds);
if (!Number.isInteger(seeds) || seeds < 1 || seeds > 100) fail(`--seeds: "${args.seeds}" is not a whole number from 1 to 100 (nearest valid: ${Number.isFinite(Number(args.seeds)) ? Math.min(100, Math.max(1, Math.round(Number(args.seeds)))) : 10}).`);
const seedBase = Number(args['seed-base']);
if (!Number.isInteger(seedBase) || seedBase < 0) fail(`--seed-base: "${args['seed-base']}" is not a whole number ≥ 0.`);
const styles = args.styles ? args.styles.split(',').map((s) => s.trim()).filter(Boolean) : StyleCatalog.styleIds;
for (const s of styles) if (!StyleCatalog.styleIds.includes(s)) fail(`--styles: "${s}" is not a style. Allowed: ${StyleCatalog.styleIds.join(', ')}.`);
const withAudio = !args['no-audio'];
const jobs = Number(args.jobs);
if (!Number.isInteger(jobs) || jobs < 1 || jobs > 16) fail(`--jobs: "${args.jobs}" is not a whole number from 1 to 16 (nearest valid: 1).`);

try {
  setPriority(10);
} catch {
  /* already nicer */
}

const started = performance.now();
const log = (m: string) => console.log(`${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s  ${m}`);
const generator = await defaultMelodyGenerator({ choice: 'neural', log: { info: log, warn: log } });
const ffmpeg = withAudio ? findTools().ffmpeg : 'ffmpeg';
const scratch = mkdtempSync(join(tmpdir(), 'eval-music-'));

const pieces: PieceRecord[] = [];
const pct = (x: number | null) => (x === null ? '—' : `${Math.round(100 * x)}%`);
const total = styles.length * seeds;
let done = 0;
let audioFailures = 0;
const requests = styles.flatMap((style) => Array.from({ length: seeds }, (_, i) => evalMusicRequest(style, i, seedBase)));
const results: (PieceRecord | undefined)[] = new Array(requests.length);
// --resume: pieces already measured by an earlier (interrupted) run with the same options are kept.
const keyOf = (p: { style: string; seed: number; durationSec: number; mood: string }) => `${p.style}/${p.seed}/${p.durationSec}/${p.mood}`;
if (args.resume && existsSync(`${args.out}.partial.json`)) {
  const earlier = new Map((JSON.parse(readFileSync(`${args.out}.partial.json`, 'utf8')) as PieceRecord[]).map((p) => [keyOf(p), p]));
  requests.forEach((r, i) => {
    const p = earlier.get(keyOf(r));
    if (p && (p.audio !== null || !withAudio)) results[i] = p;
  });
  done = results.filter(Boolean).length;
  log(`resuming: ${done} of ${requests.length} pieces measured already`);
}
const checkpoint = () => writeFileSync(`${args.out}.partial.json`, JSON.stringify(results.filter(Boolean)));
async function evaluate(index: number): Promise<void> {
  const request = requests[index]!;
  const { style } = request;
  let evaluated: Awaited<ReturnType<typeof evaluatePiece>>;
  try {
    evaluated = await evaluatePiece(request, generator, withAudio ? { dir: scratch, ffmpeg } : null);
  } catch (error) {
    // One failed render (a busy machine, a killed fluidsynth) costs that piece's audio, not the run.
    log(`${style} seed ${request.seed}: audio failed (${(error as Error).message}); its MIDI measures are kept`);
    audioFailures++;
    evaluated = await evaluatePiece(request, generator, null);
  }
  const { renderSec, ...record } = evaluated;
  const { midi, audio } = record;
  if (POP_LIKE.includes(style)) {
    const excerpt = scoreMelodyExcerpt((await compose(request, RuleBasedMelody)).score);
    record.rulesMelody = excerpt ? excerptMetrics(excerpt) : null;
  }
  results[index] = record;
  checkpoint();
  done++;
  const a = audio ? ` drop-outs ${audio.dropouts.dropouts} LRA ${audio.lraLu.toFixed(1)} sections ${audio.sectionSpreadLu?.toFixed(1) ?? '—'} LU (render ${renderSec.toFixed(1)} s)` : '';
  log(
    `[${done}/${total}] ${style} seed ${request.seed} ${request.durationSec} s ${request.mood}: theme ${pct(midi.themeReturn.returnShare)} contrast ${pct(midi.themeReturn.contrastShare)} 4otf ${pct(midi.fourOnTheFloor.share)} kit ${midi.drumKit.kitNotes} gaps ${midi.barLineGaps.gaps}/${midi.barLineGaps.barLines} lead ${midi.leadAbove.aboveBy ?? '—'} poly ${midi.polyphony.toFixed(2)}${a}`,
  );
}
try {
  // Seed by seed across the styles, so an interrupted run has measured every style a little.
  const order = Array.from({ length: seeds }, (_, i) => styles.map((_, k) => k * seeds + i)).flat();
  // --jobs pieces at a time: the renders are child processes, so a second job uses a second core.
  let next = 0;
  await Promise.all(Array.from({ length: jobs }, async () => {
    while (next < order.length) {
      const index = order[next++]!;
      if (!results[index]) await evaluate(index);
    }
  }));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
pieces.push(...results.filter((p): p is PieceRecord => p !== undefined));
rmSync(`${args.out}.partial.json`, { force: true });

let melody: Parameters<typeof markdownReport>[0]['melody'] = null;
if (existsSync(join(DATA_DIR, 'test.json'))) {
  const real = pop909Excerpts(loadSplit('test')).map(excerptMetrics);
  const rows: MelodyOverlapRow[] = [];
  const allNeural: Metrics[] = [];
  const allRules: Metrics[] = [];
  for (const style of styles.filter((s) => POP_LIKE.includes(s))) {
    const neural = pieces.filter((p) => p.style === style && p.midi.melody).map((p) => p.midi.melody!);
    const rules = pieces.filter((p) => p.style === style && p.rulesMelody).map((p) => p.rulesMelody!);
    allNeural.push(...neural);
    allRules.push(...rules);
    rows.push({ style, pieces: neural.length, neural: melodyOverlap(neural, real).mean, rules: melodyOverlap(rules, real).mean });
  }
  const difference = bootstrapInterval([allNeural, allRules, real], ([n, r, ref]) => melodyOverlap(n!, ref!).mean - melodyOverlap(r!, ref!).mean);
  if (rows.length) melody = { rows, pooled: { style: '**all pop-like**', pieces: allNeural.length, neural: melodyOverlap(allNeural, real).mean, rules: melodyOverlap(allRules, real).mean }, difference, reference: `${real.length} POP909 test-split excerpts (20 bars from the first melody bar)` };
} else log(`no ${DATA_DIR}/test.json: the POP909 comparison is left out (npm run prepare-data)`);

const reports = styleReports(pieces, styles);
const command = `npm run eval:music -- --seeds ${seeds}${args.styles ? ` --styles ${args.styles}` : ''}${withAudio ? '' : ' --no-audio'}`;
const md = markdownReport({ title: 'Music targets (issue 11)', command, generator: generator.name, reports, melody });
writeFileSync(`${args.out}.json`, JSON.stringify({ command, generator: generator.name, seeds, seedBase, styles, reports, melody, pieces }, null, 1));
writeFileSync(`${args.out}.md`, md + '\n');
console.log(md);
log(`CPU time: ${cpuSeconds().toFixed(0)} s for this process and the fluidsynth/ffmpeg it ran (about what the run takes on one idle core)`);
log(`wrote ${args.out}.json and ${args.out}.md${audioFailures ? `; ${audioFailures} pieces could not be rendered` : ''}`);
