#!/usr/bin/env node
/**
 * tunesmith CLI: `tunesmith compose "<prompt>" [options]`, `tunesmith verify FILE` and `tunesmith styles`.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { buildRequest, type BuiltRequest } from '../core/buildRequest.ts';
import { formatCatalog } from '../core/catalog/index.ts';
import { FORMATS, formatProblem, RequestError, type FieldProblem, type RequestInput } from '../core/request.ts';
import { createPiece } from '../pipeline.ts';
import { MissingToolError, RenderError } from '../render/errors.ts';
import { DEFAULT_SOUNDFONT, SOUNDFONT_NAMES } from '../render/soundfont.ts';
import { checkOutputOptions, makeOutDir } from './outDir.ts';
import { createProgressLine } from './progress.ts';
import { formatSummary } from './summary.ts';
import { runVerify } from './verify.ts';
import { runKit, type KitFlags } from './kit.ts';
import { renderStems, stemsZip } from '../stems.ts';

interface ComposeFlags {
  style?: string;
  mood?: string;
  duration?: string;
  tempo?: string;
  key?: string;
  meter?: string;
  instruments?: string;
  energy?: string;
  seed?: string;
  loop?: boolean;
  format: string;
  out: string;
  soundfont?: string;
  stems?: boolean;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 48) || 'piece';
}

/** Every option checked, all problems reported at once, before anything is composed or written. */
async function checkOptions(prompt: string | undefined, flags: ComposeFlags) {
  const problems: FieldProblem[] = [];
  const input: RequestInput = {
    prompt,
    style: flags.style,
    mood: flags.mood,
    duration: flags.duration,
    tempo: flags.tempo,
    key: flags.key,
    meter: flags.meter,
    instruments: flags.instruments,
    energy: flags.energy,
    seed: flags.seed,
    loop: flags.loop,
  };
  let built: BuiltRequest | undefined;
  try {
    built = buildRequest(input);
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    problems.push(...error.problems);
  }
  const format = await checkOutputOptions(flags, problems);
  if (problems.length || !built || !format) throw new RequestError(problems);
  // Only a request that will be composed gets its folder made (and proven writable).
  const made = await makeOutDir(flags.out);
  if (made) throw new RequestError([made]);
  return { built, format };
}

async function runCompose(prompt: string | undefined, flags: ComposeFlags): Promise<void> {
  const { built, format } = await checkOptions(prompt, flags);
  const progress = createProgressLine();
  const piece = await createPiece(built.request, { format, soundfont: flags.soundfont, onProgress: progress.update }).finally(progress.end);

  const base = path.join(flags.out, `${slug(`${piece.score.meta.style}-${piece.score.meta.mood}`)}-${piece.score.meta.seed}`);
  const files: [string, Uint8Array][] = [
    [`${base}.mid`, piece.midi],
    [`${base}.png`, piece.png],
  ];
  if (piece.audio) files.unshift([`${base}.${piece.audio.extension}`, piece.audio.data]);
  let stemsLine = '';
  if (flags.stems) {
    const stemsProgress = createProgressLine();
    const set = await renderStems(piece.score, {
      recipe: { kind: 'compose', request: built.request },
      soundfont: flags.soundfont,
      onProgress: (done, total) => stemsProgress.update({ stage: 'rendering', fraction: done / total }),
    }).finally(stemsProgress.end);
    files.push([`${base}-stems.zip`, stemsZip(set, path.basename(base))]);
    stemsLine = `\nStems: ${set.stems.map((s) => s.name).join(', ')} (WAV, the mix's gain and length); their sum is ${set.residualDb.toFixed(1)} dB from the mix.`;
  }
  await Promise.all(files.map(([file, data]) => writeFile(file, data)));
  console.log(formatSummary({ piece, ...built, files: files.map(([f]) => f) }) + stemsLine);
}

/** How this CLI was started, so the help hint can be pasted back as is. */
function helpCommand(): string {
  const via = process.env.npm_lifecycle_event;
  if (via === 'compose') return 'npm run compose -- --help';
  if (via === 'tunesmith') return 'npm run tunesmith -- compose --help';
  return 'tunesmith compose --help';
}

function failWith(error: unknown): never {
  if (error instanceof CommanderError) {
    // Commander has printed its one-line message (and the help hint); --help and --version exit 0.
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  if (error instanceof RequestError) {
    // One line per problem: what was wrong, the nearest valid value, what is allowed.
    console.error(error.problems.map(formatProblem).join('\n'));
    process.exit(2);
  }
  if (error instanceof MissingToolError || error instanceof RenderError) {
    console.error(error.message);
    process.exit(3);
  }
  const errno = error as NodeJS.ErrnoException;
  if (errno?.code && errno.syscall) {
    // A file-system failure after the checks (the disk filled up, the folder vanished): one line.
    console.error(`Could not ${errno.syscall} ${errno.path ?? ''}: ${errno.message}`.replace(/\s+:/, ':'));
    process.exit(1);
  }
  console.error(`Unexpected error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exit(1);
}

const program = new Command();
program
  .name('tunesmith')
  .description('Compose music from a prompt: audio, MIDI and a piano-roll picture.')
  // A usage error is its one-line message and where the options are, not 40 lines of help.
  .showHelpAfterError(`Run "${helpCommand()}" for the options.`)
  .exitOverride();

program
  .command('compose')
  .description('compose a piece, e.g. tunesmith compose "calm lofi intro for my stream, 15 seconds"')
  .argument('[prompt]', 'what you want, in your own words')
  .option('--style <style>', 'a style (see `tunesmith styles`)')
  .option('--mood <mood>', 'a mood (see `tunesmith styles`)')
  .option('--duration <time>', 'length: 15, 90s, 1:30, 2 min (1–300 s)')
  .option('--tempo <bpm>', 'beats per minute (40–240)')
  .option('--key <key>', 'e.g. "A minor", "Eb major", "D dorian"')
  .option('--meter <meter>', '4/4, 3/4, 6/8, 2/4 or 12/8')
  .option('--instruments <list>', 'comma-separated, e.g. "flute, strings, upright bass"')
  .option('--energy <level>', 'low, medium or high')
  .option('--seed <n>', 'repeat an earlier piece exactly')
  .option('--loop', 'make a seamless loop instead of an ending')
  .option('--format <format>', `audio format: ${FORMATS.join(', ')}`, 'ogg')
  .option('--soundfont <name|path>', `${SOUNDFONT_NAMES.join(', ')} (default ${DEFAULT_SOUNDFONT}), or a path to a .sf2/.sf3`)
  .option('--out <dir>', 'where to write the files', 'out')
  .option('--stems', 'also write each track as its own WAV (lead, chords, bass, pad, arp, drums) in a zip')
  .action((prompt: string | undefined, flags: ComposeFlags) => runCompose(prompt, flags).catch(failWith));

program
  .command('styles')
  .description('list the styles and moods')
  .action(() => console.log(formatCatalog()));

program
  .command('kit')
  .description('a streamer kit: intro, outro, BRB and starting-soon loops and a stinger in one key, tempo and sound, as one zip')
  .argument('<name>', 'your stream or kit name')
  .option('--style <style>', 'a style (see `tunesmith styles`)')
  .option('--mood <mood>', 'a mood (see `tunesmith styles`)')
  .option('--seed <n>', 'repeat an earlier kit exactly')
  .option('--intro <seconds>', 'intro length (10–20, default 15)')
  .option('--outro <seconds>', 'outro length (20–40, default 30)')
  .option('--brb <seconds>', '"be right back" loop length (30–120, default 60)')
  .option('--starting <seconds>', '"starting soon" loop length (60–240, default 120)')
  .option('--stinger <seconds>', 'stinger length (2–4, default 3)')
  .option('--format <format>', `audio format: ${FORMATS.join(', ')}`, 'ogg')
  .option('--soundfont <name|path>', `${SOUNDFONT_NAMES.join(', ')} (default ${DEFAULT_SOUNDFONT}), or a path to a .sf2/.sf3`)
  .option('--out <dir>', 'where to write the zip', 'out')
  .action((name: string, flags: KitFlags) => runKit(name, flags).catch(failWith));

program
  .command('verify')
  .description('check a file Tunesmith wrote: signed by this instance, unmodified, and composed again to the same MIDI')
  .argument('<file>', 'an Ogg, MP3, WAV or MIDI file')
  .action((file: string) =>
    runVerify(file)
      .then((code) => process.exit(code))
      .catch(failWith),
  );

program.parseAsync(process.argv).catch(failWith);
