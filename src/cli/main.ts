#!/usr/bin/env node
/**
 * tunesmith CLI: `tunesmith compose "<prompt>" [options]` and `tunesmith styles`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { buildRequest } from '../core/buildRequest.ts';
import { formatCatalog } from '../core/catalog/index.ts';
import { FORMATS, RequestError, type AudioFormat, type RequestInput } from '../core/request.ts';
import { createPiece } from '../pipeline.ts';
import { MissingToolError, RenderError } from '../render/errors.ts';
import { createProgressLine } from './progress.ts';
import { formatSummary } from './summary.ts';

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
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 48) || 'piece';
}

async function runCompose(prompt: string | undefined, flags: ComposeFlags): Promise<void> {
  const format = flags.format.toLowerCase() as AudioFormat;
  if (!FORMATS.includes(format)) {
    throw new RequestError([{ field: 'format', message: `"${flags.format}" is not an audio format I write.`, allowed: FORMATS.join(', ') }]);
  }
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
  const built = buildRequest(input);
  const progress = createProgressLine();
  const piece = await createPiece(built.request, { format, soundfont: flags.soundfont, onProgress: progress.update }).finally(progress.end);

  await mkdir(flags.out, { recursive: true });
  const base = path.join(flags.out, `${slug(`${piece.score.meta.style}-${piece.score.meta.mood}`)}-${piece.score.meta.seed}`);
  const files: [string, Uint8Array][] = [
    [`${base}.mid`, piece.midi],
    [`${base}.png`, piece.png],
  ];
  if (piece.audio) files.unshift([`${base}.${piece.audio.extension}`, piece.audio.data]);
  await Promise.all(files.map(([file, data]) => writeFile(file, data)));
  console.log(formatSummary({ piece, ...built, files: files.map(([f]) => f) }));
}

function failWith(error: unknown): never {
  if (error instanceof RequestError) {
    console.error(`Sorry, I can't compose that:\n${error.problems.map((p) => `  • ${p.field}: ${p.message}${p.suggestion !== undefined ? ` Did you mean "${p.suggestion}"?` : ''}\n    Allowed: ${p.allowed}.`).join('\n')}`);
    process.exit(2);
  }
  if (error instanceof MissingToolError || error instanceof RenderError) {
    console.error(error.message);
    process.exit(3);
  }
  console.error(`Unexpected error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exit(1);
}

const program = new Command();
program.name('tunesmith').description('Compose music from a prompt: audio, MIDI and a piano-roll picture.').showHelpAfterError();

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
  .option('--format <format>', `audio format: ${FORMATS.join(', ')}`, (v) => {
    if (!FORMATS.includes(v.toLowerCase() as AudioFormat)) throw new InvalidArgumentError(`use one of ${FORMATS.join(', ')}`);
    return v.toLowerCase();
  }, 'ogg')
  .option('--soundfont <name|path>', 'fluidr3 (default), timgm6mb, musescore, or a path to a .sf2/.sf3')
  .option('--out <dir>', 'where to write the files', 'out')
  .action((prompt: string | undefined, flags: ComposeFlags) => runCompose(prompt, flags).catch(failWith));

program
  .command('styles')
  .description('list the styles and moods')
  .action(() => console.log(formatCatalog()));

program.parseAsync(process.argv).catch(failWith);
