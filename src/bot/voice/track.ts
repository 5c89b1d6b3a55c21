/**
 * A track in a guild's voice queue: what it is (for /queue and /nowplaying) and how to get its
 * Ogg Opus from any point at any volume.
 *
 * Two kinds:
 *  - a stored result (the "Play in voice" button, or /play of a request already composed): its
 *    Ogg Opus bytes are played as they are; a stored mp3/wav goes through ffmpeg once.
 *  - a new piece (/play): composed here in the bot process (pure, tens of ms) and stream-rendered
 *    with renderOggOpusStream, so playback starts while fluidsynth is still rendering.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { compose } from '../../core/compose.ts';
import { formatKey } from '../../core/keys.ts';
import type { CompositionRequest } from '../../core/request.ts';
import { scoreToMidi } from '../../midi/scoreToMidi.ts';
import type { StoredPiece } from '../../queue/resultStore.ts';
import { renderOggOpusStream } from '../../render/index.ts';
import { ffmpegOgg, OggSource } from './source.ts';
import { defaultMelodyGenerator } from '../../neural/defaultGenerator.ts';

export interface TrackInfo {
  title: string;
  style: string;
  mood: string;
  key: string;
  bpm: number;
  durationSec: number;
  seed: number;
  loop: boolean;
  /** The member who asked for it (DJ rules: members may always act on their own tracks). */
  requestedBy: string;
  origin: 'new' | 'stored';
  resultId?: string;
}

export class Track {
  readonly id = randomUUID().slice(0, 8);

  constructor(
    readonly info: TrackInfo,
    private readonly source: OggSource,
  ) {}

  /** Start producing its audio now (a render takes a while; the next track is prepared early). */
  prepare(): void {
    this.source.prepare();
  }

  /**
   * Ogg Opus from `startSec` at `volume` (linear). The common case, from the start at 100 %, is
   * the source's own bytes: no decode and no re-encode anywhere.
   */
  open(opts: { startSec?: number; volume?: number } = {}): Readable {
    const startSec = opts.startSec ?? 0;
    const volume = opts.volume ?? 1;
    if (startSec <= 0 && volume === 1) return this.source.open();
    return ffmpegOgg(this.source.open(), { inputFormat: 'ogg', startSec, volume });
  }

  /** Producing its audio failed (not called after dispose). */
  onFailure(listener: (error: Error) => void): void {
    this.source.onFailure(listener);
  }

  dispose(): void {
    this.source.dispose();
  }
}

/** A finished result from the result store. */
export function storedTrack(resultId: string, piece: StoredPiece, requestedBy: string): Track {
  const s = piece.summary;
  const format = piece.render.format;
  const source = format === 'ogg' ? OggSource.fromBuffer(piece.audio) : new OggSource(() => ffmpegOgg(bufferStream(piece.audio), { inputFormat: format }));
  return new Track(
    { title: s.title, style: s.style, mood: s.mood, key: s.key, bpm: s.bpm, durationSec: s.durationSec, seed: s.seed, loop: s.loop, requestedBy, origin: 'stored', resultId },
    source,
  );
}

/**
 * Compose `request` here and stream-render it. The render starts on prepare() (or the first open),
 * not now, so a piece waiting in the queue costs no CPU yet.
 */
export async function newTrack(request: CompositionRequest, requestedBy: string, opts: { soundfont?: string } = {}): Promise<Track> {
  const { score } = await compose(request, await defaultMelodyGenerator());
  // A loop is rendered with a copy of its last bars first and that pre-roll cut, as renderAudio does.
  const midi = scoreToMidi(score, { loopPreRoll: score.meta.loop });
  const source = new OggSource(() =>
    renderOggOpusStream({ midi: midi.bytes, trimStartSec: midi.trimStartSec, durationSec: score.durationSec, loop: score.meta.loop, soundfont: opts.soundfont }),
  );
  return new Track(
    {
      title: score.meta.title,
      style: score.meta.style,
      mood: score.meta.mood,
      key: formatKey(score.key),
      bpm: Number(score.bpm.toFixed(2)),
      durationSec: score.durationSec,
      seed: score.meta.seed,
      loop: score.meta.loop,
      requestedBy,
      origin: 'new',
    },
    source,
  );
}

function bufferStream(bytes: Buffer): Readable {
  return Readable.from([bytes], { objectMode: false });
}
