import OpusScript from 'opusscript';

/** Discord voice is always Opus at 48 kHz stereo in 20 ms frames. */
export const SAMPLE_RATE = 48_000;
export const CHANNELS = 2;

/** The 3-byte Opus "silence" frame @discordjs/voice sends as padding and on underrun. */
export const OPUS_SILENCE_FRAME = Buffer.from([0xf8, 0xff, 0xfe]);

export interface DecodedAudio {
  /** Interleaved stereo 16-bit PCM at 48 kHz. */
  pcm: Int16Array;
  durationMs: number;
  /** Root mean square of the samples, 0..1 of full scale. */
  rms: number;
  /** Largest absolute sample, 0..1 of full scale. */
  peak: number;
}

/** Decode Opus packets (in order) to PCM with libopus (opusscript's wasm build). */
export function decodeOpus(packets: Buffer[]): DecodedAudio {
  const decoder = new OpusScript(SAMPLE_RATE, CHANNELS, OpusScript.Application.AUDIO);
  try {
    const chunks = packets.map((p) => {
      const bytes = decoder.decode(p);
      // Copy out of the wasm heap view before the next decode reuses it.
      return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    });
    const pcm = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const c of chunks) {
      pcm.set(c, offset);
      offset += c.length;
    }
    return { pcm, ...analysePcm(pcm) };
  } finally {
    decoder.delete();
  }
}

export function analysePcm(pcm: Int16Array): Omit<DecodedAudio, 'pcm'> {
  let sumSquares = 0;
  let peak = 0;
  for (const s of pcm) {
    sumSquares += s * s;
    const a = Math.abs(s);
    if (a > peak) peak = a;
  }
  return {
    durationMs: (pcm.length / CHANNELS / SAMPLE_RATE) * 1000,
    rms: pcm.length ? Math.sqrt(sumSquares / pcm.length) / 32768 : 0,
    peak: peak / 32768,
  };
}
