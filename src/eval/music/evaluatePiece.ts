/**
 * One request → one PieceRecord: compose it with the given generator, measure the MIDI, and (when
 * asked) render it to WAV with the real renderer, one core, and measure the audio.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compose } from '../../core/compose.ts';
import type { MelodyGenerator } from '../../core/generator.ts';
import type { CompositionRequest } from '../../core/request.ts';
import { scoreToMidi } from '../../midi/scoreToMidi.ts';
import { renderAudio } from '../../render/render.ts';
import { loudnessRange } from './loudness.ts';
import { audioMeasures, midiMeasures } from './measurePiece.ts';
import type { PieceRecord } from './targets.ts';
import { decodeWav } from './wav.ts';

export interface AudioSetup {
  /** A scratch folder for the WAV ffmpeg's ebur128 reads. */
  dir: string;
  ffmpeg: string;
  soundfont?: string;
  timeoutMs?: number;
}

export async function evaluatePiece(request: CompositionRequest, generator: MelodyGenerator, audio: AudioSetup | null): Promise<PieceRecord & { renderSec: number }> {
  const { score } = await compose(request, generator);
  const record: PieceRecord & { renderSec: number } = {
    style: request.style,
    mood: request.mood,
    seed: request.seed,
    durationSec: request.durationSec,
    bpm: score.bpm,
    meter: `${score.meter.numerator}/${score.meter.denominator}`,
    generator: score.meta.generator,
    sections: score.sections.map((s) => s.name),
    midi: midiMeasures(score),
    audio: null,
    renderSec: 0,
  };
  if (audio) {
    const t0 = performance.now();
    const rendered = await renderAudio({
      midi: scoreToMidi(score).bytes,
      durationSec: score.durationSec,
      format: 'wav',
      parallel: false,
      loop: false,
      soundfont: audio.soundfont,
      // A shared, busy machine can be slow; a measurement run would rather wait than lose a piece.
      timeoutMs: audio.timeoutMs ?? 600_000,
      tags: { title: score.meta.title, style: request.style, mood: request.mood, seed: String(request.seed) },
    });
    const path = join(audio.dir, `${request.style}-${request.seed}-${request.durationSec}.wav`);
    writeFileSync(path, rendered.data);
    try {
      record.audio = audioMeasures(score, decodeWav(rendered.data), await loudnessRange(path, audio.ffmpeg));
    } finally {
      rmSync(path, { force: true });
    }
    record.renderSec = (performance.now() - t0) / 1000;
  }
  return record;
}
