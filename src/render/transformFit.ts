/**
 * Fitting a finished audio file under an upload limit: the same audio re-encoded with ffmpeg at
 * a lower bitrate (Ogg Opus, MP3), or as MP3 instead of WAV. Used when posting a result to a
 * Discord server whose upload limit the file would exceed (10 MiB without boosts, 50 MiB at
 * boost tier 2, 100 MiB at tier 3). Transcoding the stored file takes well under a second even
 * for five minutes of audio, needs only ffmpeg (not fluidsynth or the SoundFont), and leaves the
 * stored full-quality result untouched for servers that can take it.
 */
import { spawn } from 'node:child_process';
import type { AudioFormat } from '../core/request.ts';
import { codecOptions, FORMAT_INFO } from './encode.ts';
import { findTools } from './tools.ts';

export const MIB = 1024 * 1024;
/** What Discord allows per upload in a server without boosts (and in DMs). */
export const DEFAULT_UPLOAD_LIMIT_BYTES = 10 * MIB;

/** Discord's upload limit by server boost tier (0–3). */
export function uploadLimitForTier(tier: number | null | undefined): number {
  if (tier === 3) return 100 * MIB;
  if (tier === 2) return 50 * MIB;
  return DEFAULT_UPLOAD_LIMIT_BYTES;
}

export interface Encoding {
  format: AudioFormat;
  bitrateKbps: number;
}

/** Smaller encodings to try, best first: WAV becomes MP3; lossy formats step down in bitrate. */
export function fitCandidates(format: AudioFormat): Encoding[] {
  const rates = (format: AudioFormat, list: number[]) => list.map((bitrateKbps) => ({ format, bitrateKbps }));
  if (format === 'wav') return rates('mp3', [192, 160, 128, 96, 64, 48, 32]);
  if (format === 'mp3') return rates('mp3', [160, 128, 96, 64, 48, 32]);
  return rates('ogg', [96, 64, 48, 32, 24]);
}

/** Expected size of an encoding: the bitrate plus a little container overhead. */
export function estimateBytes(encoding: Encoding, durationSec: number): number {
  return Math.ceil(((encoding.bitrateKbps * 1000) / 8) * durationSec * 1.04 + 4096);
}

function ffmpegPath(): string {
  try {
    return findTools().ffmpeg;
  } catch {
    // findTools also wants fluidsynth; the bot process may have ffmpeg alone.
    return process.env.TUNESMITH_FFMPEG?.trim() || 'ffmpeg';
  }
}

/** Re-encode `audio` (any of our formats) to `to`. Rejects if ffmpeg is missing or fails. */
export function transcode(audio: Buffer, to: Encoding, opts: { timeoutMs?: number } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const args = ['-hide_banner', '-loglevel', 'error', '-i', 'pipe:0', '-map_metadata', '0', '-vn', ...codecOptions(to.format, to.bitrateKbps), 'pipe:1'];
    const child = spawn(ffmpegPath(), args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`ffmpeg could not re-encode the audio (exit ${code}): ${stderr.trim().split('\n').slice(-2).join(' | ')}`));
    });
    // ffmpeg may stop reading early on an error: ignore EPIPE, the exit code tells.
    child.stdin.on('error', () => {});
    child.stdin.end(audio);
  });
}

export interface FittedAudio extends Encoding {
  data: Buffer;
  extension: string;
  mimeType: string;
}

/**
 * The best encoding of `audio` no bigger than `maxBytes`, or null when even the smallest one
 * would not fit (or ffmpeg is unavailable). Tries the highest bitrate whose estimate fits first,
 * and a lower one if the real file came out too big.
 */
export async function fitAudio(audio: Buffer, format: AudioFormat, durationSec: number, maxBytes: number): Promise<FittedAudio | null> {
  for (const encoding of fitCandidates(format)) {
    if (estimateBytes(encoding, durationSec) > maxBytes) continue;
    let data: Buffer;
    try {
      data = await transcode(audio, encoding);
    } catch {
      return null;
    }
    if (data.length <= maxBytes) return { ...encoding, data, extension: FORMAT_INFO[encoding.format].extension, mimeType: FORMAT_INFO[encoding.format].mimeType };
  }
  return null;
}
