/**
 * MIDI → Ogg Opus as a live stream (48 kHz stereo, 20 ms frames) for Discord voice: fluidsynth's
 * PCM goes straight into ffmpeg and Ogg pages come out while fluidsynth is still rendering.
 *
 * Loudness can't be measured ahead here. With `gainDb` (e.g. from an earlier renderAudio of the
 * same MIDI) we apply that exact gain plus the safety limiter; without it ffmpeg's single-pass
 * loudnorm steers towards −14 LUFS / −1 dBTP as it goes (3 s look-ahead; dynamic, so it rides
 * the level a little, and it costs ~4× the CPU of the encode — fine at real-time playback pace).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { codecOptions, filterChain, pcmCommand, runCommand, type Loudness } from './encode.ts';
import { RenderError } from './errors.ts';
import { makeScratchDir, ProcessGuard } from './lifecycle.ts';
import { TARGET_LUFS, TRUE_PEAK_ALLOWANCE_DB, TRUE_PEAK_CEILING_DB } from './normalize.ts';
import { defaultTimeoutMs, validateTiming } from './render.ts';
import { resolveSoundFont } from './soundfont.ts';
import { checkRenderSetup, findTools } from './tools.ts';
import { fluidsynthArgs, spawnSynth, type SynthFlags } from './synth.ts';

export interface StreamOptions extends SynthFlags {
  midi: Uint8Array;
  durationSec: number;
  trimStartSec?: number;
  soundfont?: string;
  /** Known normalising gain; without it the stream is normalised dynamically (see above). */
  gainDb?: number;
  /** Default 96, the most a Discord voice channel carries without server boosts. */
  bitrateKbps?: number;
  loop?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const VOICE_KBPS = 96;
/** Flush a page per 20 ms Opus packet so the first bytes leave at once. */
const STREAM_OUTPUT_OPTIONS = ['-page_duration', '20000', '-flush_packets', '1'];

/**
 * Starts the render and returns the Ogg Opus stream at once. Missing tools throw here; later
 * failures (fluidsynth/ffmpeg errors, timeout) destroy the stream with a RenderError. Destroying
 * the stream kills both processes.
 */
export function renderOggOpusStream(opts: StreamOptions): Readable {
  const trimStartSec = opts.trimStartSec ?? 0;
  validateTiming(opts.durationSec, trimStartSec);
  findTools();
  resolveSoundFont(opts.soundfont);

  const out = new PassThrough();
  // The consumer may read slower than real time (voice playback), so the default allows for it.
  const guard = new ProcessGuard({ what: 'stream render', timeoutMs: opts.timeoutMs ?? defaultTimeoutMs(opts.durationSec) + opts.durationSec * 1000, signal: opts.signal });
  let finished = false;
  out.once('close', () => {
    if (!finished) guard.fail(new RenderError('stream render', 'stream destroyed by the consumer'));
  });

  const run = async () => {
    const setup = await checkRenderSetup(opts.soundfont);
    const scratch = await makeScratchDir();
    try {
      const midiPath = join(scratch.dir, 'score.mid');
      await writeFile(midiPath, opts.midi);
      const synth = spawnSynth(setup.tools.fluidsynth, fluidsynthArgs(setup.soundfont, midiPath, opts), guard);
      const loudness: Loudness =
        opts.gainDb !== undefined
          ? { kind: 'gain', gainDb: opts.gainDb, limitDbfs: TRUE_PEAK_CEILING_DB - TRUE_PEAK_ALLOWANCE_DB }
          : { kind: 'loudnorm', targetLufs: TARGET_LUFS, truePeakDb: TRUE_PEAK_CEILING_DB };
      const command = pcmCommand(setup.tools.ffmpeg, synth.stdout)
        .audioFilters(filterChain({ durationSec: opts.durationSec, trimStartSec, loudness, fadeOut: !(opts.loop ?? trimStartSec > 0) }))
        .outputOptions(...codecOptions('ogg', opts.bitrateKbps ?? VOICE_KBPS), ...STREAM_OUTPUT_OPTIONS);
      await guard.race(runCommand(command, out, guard));
      // ffmpeg stops reading at the exact length; fluidsynth may still be rendering its release tail.
      if (synth.running) synth.stop();
      // A fluidsynth failure must not end as a "complete" stream of the silence ffmpeg padded in.
      await guard.race(synth.exited);
    } finally {
      guard.dispose();
      await scratch.remove();
    }
    // Ended only after cleanup, so a consumer that exits on 'end' leaves no scratch files behind.
    finished = true;
    out.end();
  };
  run().catch((e: Error) => out.destroy(guard.failedWith ?? e));
  return out;
}
