import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Real ffmpeg/ffprobe helpers for tests (bounded by a timeout each). */
const run = promisify(execFile);
const TIMEOUT_MS = 30_000;

/** A fresh temp directory and its remover (call the remover in afterAll). */
export async function tempDir(prefix = 'tunesmith-test-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Encode a sine tone to Ogg Opus, 48 kHz stereo (what a voice bot streams as StreamType.OggOpus). */
export async function makeSineOggOpus(path: string, opts: { seconds: number; frequency?: number }): Promise<string> {
  await run(
    'ffmpeg',
    ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=f=${opts.frequency ?? 440}:d=${opts.seconds}`,
      '-c:a', 'libopus', '-ar', '48000', '-ac', '2', path],
    { timeout: TIMEOUT_MS },
  );
  return path;
}

export interface ProbeResult {
  formatName: string;
  durationSec: number;
  codecName: string | undefined;
  sampleRate: number | undefined;
  channels: number | undefined;
}

/** ffprobe a file or a buffer (written to a temp file first). */
export async function probe(input: string | Buffer, ext = '.bin'): Promise<ProbeResult> {
  let tmp: Awaited<ReturnType<typeof tempDir>> | undefined;
  let path = input as string;
  if (Buffer.isBuffer(input)) {
    tmp = await tempDir('tunesmith-probe-');
    path = join(tmp.dir, `input${ext}`);
    await writeFile(path, input);
  }
  try {
    const { stdout } = await run(
      'ffprobe',
      ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path],
      { timeout: TIMEOUT_MS },
    );
    const info = JSON.parse(stdout) as {
      format: { format_name: string; duration: string };
      streams: { codec_type: string; codec_name?: string; sample_rate?: string; channels?: number }[];
    };
    const audio = info.streams.find((s) => s.codec_type === 'audio');
    return {
      formatName: info.format.format_name,
      durationSec: Number(info.format.duration),
      codecName: audio?.codec_name,
      sampleRate: audio?.sample_rate ? Number(audio.sample_rate) : undefined,
      channels: audio?.channels,
    };
  } finally {
    await tmp?.remove();
  }
}

/**
 * Dominant frequency of interleaved stereo PCM estimated from zero crossings of the left
 * channel: enough to tell that a decoded tone is the one that was sent.
 */
export function estimateFrequency(pcm: Int16Array, sampleRate = 48_000, channels = 2): number {
  let crossings = 0;
  let prev = 0;
  const frames = Math.floor(pcm.length / channels);
  for (let i = 0; i < frames; i++) {
    const s = pcm[i * channels]!;
    if ((prev < 0 && s >= 0) || (prev >= 0 && s < 0)) crossings++;
    prev = s;
  }
  return crossings / 2 / (frames / sampleRate);
}
