/**
 * ffmpeg side, through fluent-ffmpeg: the filter chain (trim/pad to the exact length, gain,
 * optional limiter, anti-click fade), codec options and tags per format, and running a command
 * under the render's ProcessGuard.
 */
import ffmpeg from 'fluent-ffmpeg';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { AudioFormat } from '../core/request.ts';
import { RenderError } from './errors.ts';
import type { ProcessGuard } from './lifecycle.ts';
import { CHANNELS, SAMPLE_RATE } from './synth.ts';

export interface FormatInfo {
  mimeType: string;
  extension: string;
  defaultKbps?: number;
}

export const FORMAT_INFO: Record<AudioFormat, FormatInfo> = {
  ogg: { mimeType: 'audio/ogg', extension: 'ogg', defaultKbps: 128 },
  mp3: { mimeType: 'audio/mpeg', extension: 'mp3', defaultKbps: 192 },
  wav: { mimeType: 'audio/wav', extension: 'wav' },
};

/** Usually straight from ScoreMeta; the seed may come as a string. */
export interface RenderTags {
  title: string;
  style?: string;
  mood?: string;
  seed?: number | string;
}
export const TAG_ARTIST = 'Tunesmith';
export const TAG_COMMENT = 'AI-generated with Tunesmith';
/** Long enough to hide a click, short enough not to be heard as a fade. */
const END_FADE_SEC = 0.01;

export type Loudness =
  | { kind: 'gain'; gainDb: number; limitDbfs?: number }
  /**
   * The gain is already in the samples (see writeScaledPcm); only the peak limiter runs, always: it is
   * bit-transparent while peaks stay under `limitDbfs`, so the chain can be fixed before the gain is known.
   */
  | { kind: 'prescaled'; limitDbfs: number }
  /** ffmpeg's single-pass (dynamic) loudnorm, for streams whose loudness can't be measured ahead. */
  | { kind: 'loudnorm'; targetLufs: number; truePeakDb: number };

export interface ChainOptions {
  durationSec: number;
  trimStartSec: number;
  loudness: Loudness;
  /** Fade the last few milliseconds (not for loops: their end must meet their start). */
  fadeOut: boolean;
}

const dbToLinear = (db: number) => 10 ** (db / 20);

/**
 * The mastering EQ on rendered pieces: rumble under 30 Hz out (it eats headroom and BS.1770's own
 * high-pass ignores it) and a decibel of air over 10 kHz. Gentle on purpose: a low-mid cut was tried
 * and moved a Rhodes-heavy lofi piece 0.6 LU under the target, which the master cannot predict.
 */
export const MASTER_EQ: readonly string[] = ['highpass=f=30:p=2', 'treble=g=1:f=10000:t=q:w=0.7'];

// latency=1 removes the limiter's look-ahead delay so loops stay sample-aligned; level=0 keeps our gain.
const limiter = (limitDbfs: number) => `alimiter=limit=${dbToLinear(limitDbfs).toFixed(4)}:level=0:latency=1`;

/** What ffmpeg does to mastered samples (master.ts): the EQ, then the limiter as a safety net for what the EQ adds. */
export function masterFilters(limitDbfs: number): string[] {
  return [...MASTER_EQ, limiter(limitDbfs)];
}

/** Filters on the 48 kHz stereo PCM, sample-exact: cut the pre-roll, pad or cut to the length. */
export function filterChain(o: ChainOptions): string[] {
  const frames = Math.round(o.durationSec * SAMPLE_RATE);
  const start = Math.round(o.trimStartSec * SAMPLE_RATE);
  const filters = [`atrim=start_sample=${start}:end_sample=${start + frames}`, 'asetpts=PTS-STARTPTS'];
  if (o.loudness.kind === 'gain') {
    filters.push(`volume=${o.loudness.gainDb.toFixed(3)}dB`);
    if (o.loudness.limitDbfs !== undefined) filters.push(limiter(o.loudness.limitDbfs));
  } else if (o.loudness.kind === 'prescaled') {
    filters.push(...masterFilters(o.loudness.limitDbfs));
  } else {
    // loudnorm works at 192 kHz internally; bring it back to 48 kHz stereo for Opus.
    filters.push(`loudnorm=I=${o.loudness.targetLufs}:TP=${o.loudness.truePeakDb}:LRA=11`, `aresample=${SAMPLE_RATE}`, 'aformat=channel_layouts=stereo');
  }
  filters.push(`apad=whole_len=${frames}`, `atrim=end_sample=${frames}`);
  if (o.fadeOut) {
    const fade = Math.min(frames, Math.round(END_FADE_SEC * SAMPLE_RATE));
    filters.push(`afade=t=out:start_sample=${frames - fade}:nb_samples=${fade}`);
  }
  return filters;
}

/** Output options (codec, bitrate, muxer) for one format. */
export function codecOptions(format: AudioFormat, bitrateKbps?: number): string[] {
  const kbps = bitrateKbps ?? FORMAT_INFO[format].defaultKbps;
  const common = ['-ar', String(SAMPLE_RATE), '-ac', String(CHANNELS)];
  switch (format) {
    case 'ogg':
      // Complexity 5 instead of 10 encodes ~35% faster; at 128 kbps stereo music the difference
      // is inaudible (complexity matters at low bitrates), and encoding is on the critical path.
      return [...common, '-c:a', 'libopus', '-b:a', `${kbps}k`, '-compression_level', '5', '-frame_duration', '20', '-f', 'ogg'];
    case 'mp3':
      // ID3v2.3 is the version every player reads; the Xing/LAME frame carries the gapless length.
      return [...common, '-c:a', 'libmp3lame', '-b:a', `${kbps}k`, '-id3v2_version', '3', '-write_xing', '1', '-f', 'mp3'];
    case 'wav':
      return [...common, '-c:a', 'pcm_s16le', '-f', 'wav'];
  }
}

// Control characters would end up verbatim in tag fields.
const clean = (v: string | number) => String(v).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();

/** `-metadata` pairs. WAV's RIFF INFO has fixed fields: style → IGNR (genre), mood/seed → IKEY (keywords). */
export function tagOptions(format: AudioFormat, tags: RenderTags): string[] {
  const fields: [string, string | number | undefined][] = [
    ['title', tags.title],
    ['artist', TAG_ARTIST],
    ['comment', TAG_COMMENT],
    ['genre', tags.style],
  ];
  if (format === 'wav') {
    const keywords = [tags.style && `style=${tags.style}`, tags.mood && `mood=${tags.mood}`, tags.seed !== undefined && `seed=${tags.seed}`];
    fields.push(['IKEY', keywords.filter(Boolean).join('; ')]);
  } else {
    fields.push(['style', tags.style], ['mood', tags.mood], ['seed', tags.seed]);
  }
  const out = ['-map_metadata', '-1'];
  for (const [key, value] of fields) if (value !== undefined && clean(value) !== '') out.push('-metadata', `${key}=${clean(value)}`);
  return out;
}

/**
 * A command reading raw 48 kHz stereo from `input`: s16le (fluidsynth's own) or f32le (writeScaledPcm's).
 * `-filter_threads 1`: ffmpeg 5.1 threads its biquads per channel, and on two busy cores the
 * hand-offs cost more than they save (measured, 60 s piece with the mastering EQ and limiter:
 * 0.71 s wall with one filter thread, 1.27 s with two; the bare encode takes 0.66 s).
 */
export function pcmCommand(ffmpegPath: string, input: Readable, sampleFormat: 's16le' | 'f32le' = 's16le'): ffmpeg.FfmpegCommand {
  ffmpeg.setFfmpegPath(ffmpegPath);
  return ffmpeg()
    .input(input)
    .inputOptions('-filter_threads', '1', '-f', sampleFormat, '-ar', String(SAMPLE_RATE), '-ch_layout', 'stereo');
}

/** Frames converted and written per chunk: 1 s, so ffmpeg starts encoding while the rest converts. */
const SCALE_CHUNK_FRAMES = SAMPLE_RATE;

/** A gain that changes over the piece (the master's envelope, master.ts), from `startFrame` of it. */
export interface GainEnvelope {
  envelope: Float32Array;
  chunkFrames: number;
  /** The piece's frame that `pcm`'s first frame is. */
  startFrame: number;
}

/**
 * Writes s16le stereo `pcm` to `input` as f32le times a gain (dB) or a gain envelope, in chunks with
 * back-pressure, then ends it. Float keeps the lifted peaks intact for the limiter downstream.
 * `signal` ends a wait for ffmpeg that will never come (the render failed).
 */
export async function writeScaledPcm(input: Writable, pcm: Buffer, gain: number | GainEnvelope, signal?: AbortSignal, opts: { fadeOut?: boolean } = {}): Promise<void> {
  const aligned = pcm.byteOffset % 2 === 0 ? pcm : Buffer.from(pcm);
  const src = new Int16Array(aligned.buffer, aligned.byteOffset, Math.floor(aligned.byteLength / 2));
  const fadeFrom = opts.fadeOut ? src.length - Math.min(src.length / CHANNELS, END_FADE_FRAMES) * CHANNELS : src.length;
  for (let from = 0; from < src.length; from += SCALE_CHUNK_FRAMES * CHANNELS) {
    const n = Math.min(SCALE_CHUNK_FRAMES * CHANNELS, src.length - from);
    const dst = new Float32Array(n);
    if (typeof gain === 'number') {
      const g = dbToLinear(gain) / 32768;
      for (let i = 0; i < n; i++) dst[i] = src[from + i]! * g;
    } else scaleByEnvelope(src, from, dst, gain);
    if (from + n > fadeFrom) fadeOutLinear(dst, from, fadeFrom, src.length);
    if (!input.write(Buffer.from(dst.buffer))) await once(input, 'drain', { signal });
  }
  input.end();
}

const END_FADE_FRAMES = Math.round(END_FADE_SEC * SAMPLE_RATE);

/** The anti-click fade (afade's linear curve) over samples [fadeFrom, end) of the whole, applied to dst (which starts at `from`). */
function fadeOutLinear(dst: Float32Array, from: number, fadeFrom: number, end: number): void {
  const frames = (end - fadeFrom) / CHANNELS;
  for (let i = Math.max(0, fadeFrom - from); i < dst.length; i++) {
    const frame = Math.floor((from + i - fadeFrom) / CHANNELS);
    dst[i] = dst[i]! * ((frames - frame) / frames);
  }
}

/**
 * The arguments of a warm Ogg Opus encoder (warm/warmEncoder.ts): float PCM on stdin, exactly the
 * piece's frames with the end fade applied; the master filters; Ogg on stdout, its tags added when
 * re-paged (oggOpus.ts joinOpus). Nothing in it depends on the piece.
 */
export function warmOggArgs(limitDbfs: number, bitrateKbps?: number): string[] {
  return [
    '-v', 'error', '-filter_threads', '1', '-f', 'f32le', '-ar', String(SAMPLE_RATE), '-ch_layout', 'stereo', '-i', 'pipe:0',
    '-af', masterFilters(limitDbfs).join(','), ...codecOptions('ogg', bitrateKbps), '-map_metadata', '-1', 'pipe:1',
  ];
}

/**
 * The Vorbis comments ffmpeg writes for `tagOptions('ogg', tags)`, in its order: its `comment`
 * becomes DESCRIPTION (libavformat's Vorbis conversion), the other keys stay as given.
 */
export function oggComments(tags: RenderTags): [string, string][] {
  const opts = tagOptions('ogg', tags);
  const out: [string, string][] = [];
  for (let i = 0; i < opts.length; i++) {
    if (opts[i] !== '-metadata') continue;
    const pair = opts[++i]!;
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq);
    out.push([key === 'comment' ? 'DESCRIPTION' : key, pair.slice(eq + 1)]);
  }
  return out;
}

/** dst[i] = src[from + i] × the envelope's gain at that frame (linear between its points). */
function scaleByEnvelope(src: Int16Array, from: number, dst: Float32Array, gain: GainEnvelope): void {
  const { envelope, chunkFrames } = gain;
  const last = envelope.length - 1;
  let frame = gain.startFrame + from / CHANNELS;
  for (let i = 0; i < dst.length; ) {
    const k = Math.floor(frame / chunkFrames);
    const a = envelope[Math.min(k, last)]! / 32768;
    const step = (envelope[Math.min(k + 1, last)]! / 32768 - a) / chunkFrames;
    const within = frame - k * chunkFrames;
    const run = Math.min(chunkFrames - within, (dst.length - i) / CHANNELS);
    let g = a + step * within;
    for (let f = 0; f < run; f++, g += step) {
      for (let c = 0; c < CHANNELS; c++, i++) dst[i] = src[from + i]! * g;
    }
    frame += run;
  }
}

/**
 * Runs `command` to `target` (a path, or a writable stream left open) under `guard`: ffmpeg is killed with
 * the render, and a failure becomes a RenderError carrying ffmpeg's stderr tail.
 */
export function runCommand(command: ffmpeg.FfmpegCommand, target: string | Writable, guard: ProcessGuard): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let untrack: () => unknown = () => undefined;
    command
      .on('start', () => {
        untrack = guard.track(() => command.kill('SIGKILL'));
      })
      .on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
        untrack();
        const tail = (stderr ?? '').split('\n').slice(-20).join('\n');
        reject(new RenderError('ffmpeg', err.message.split('\n')[0] ?? 'failed', tail, { cause: err }));
      })
      .on('end', () => {
        untrack();
        resolve();
      });
    if (typeof target === 'string') command.save(target);
    // The caller ends the stream: only it knows whether the producer upstream succeeded too.
    else command.pipe(target, { end: false });
  });
}
