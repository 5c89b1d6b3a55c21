/** Decode a PCM WAV file (16-bit integer or 32-bit float) into interleaved float samples. */
import type { Pcm } from './dropouts.ts';

export function decodeWav(data: Buffer): Pcm {
  if (data.toString('ascii', 0, 4) !== 'RIFF' || data.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let offset = 12;
  let format: { tag: number; channels: number; sampleRate: number; bits: number } | null = null;
  while (offset + 8 <= data.length) {
    const id = data.toString('ascii', offset, offset + 4);
    const size = data.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') format = { tag: data.readUInt16LE(body), channels: data.readUInt16LE(body + 2), sampleRate: data.readUInt32LE(body + 4), bits: data.readUInt16LE(body + 14) };
    if (id === 'data') {
      if (!format) throw new Error('WAV data chunk before its fmt chunk');
      const end = Math.min(data.length, body + size);
      if (format.bits === 16) {
        const n = (end - body) >> 1;
        const samples = new Float32Array(n);
        for (let i = 0; i < n; i++) samples[i] = data.readInt16LE(body + 2 * i) / 32768;
        return { samples, sampleRate: format.sampleRate, channels: format.channels };
      }
      if (format.bits === 32 && format.tag === 3) {
        const n = (end - body) >> 2;
        const samples = new Float32Array(n);
        for (let i = 0; i < n; i++) samples[i] = data.readFloatLE(body + 4 * i);
        return { samples, sampleRate: format.sampleRate, channels: format.channels };
      }
      throw new Error(`unsupported WAV sample format: tag ${format.tag}, ${format.bits} bits`);
    }
    offset = body + size + (size & 1);
  }
  throw new Error('WAV file without a data chunk');
}
