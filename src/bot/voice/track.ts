/**
 * A track in a guild's voice queue: what it is (for /queue and /nowplaying) and how to get its
 * Ogg Opus from any point at any volume.
 *
 * Three kinds:
 *  - a stored result (the "Play in voice" button, or /play of a request already composed): its
 *    Ogg Opus bytes are played as they are; a stored mp3/wav goes through ffmpeg once.
 *  - a new piece (/play): composed here in the bot process (pure, tens of ms) and stream-rendered
 *    with renderOggOpusStream, so playback starts while fluidsynth is still rendering.
 *  - a rebuilt piece ("Play in voice" on a result whose audio has expired from the store): its
 *    MIDI (kept in the store, or the file posted with the result) is read back into a score and
 *    stream-rendered like a new piece. Same notes, same SoundFont choice, no composing.
 *
 * `audible` resolves when the track's first audio packet has actually gone out to Discord (the
 * session sees the dispatch), which is when "Now playing" becomes true.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { compose } from '../../core/compose.ts';
import { formatKey } from '../../core/keys.ts';
import type { CompositionRequest } from '../../core/request.ts';
import type { Score } from '../../core/score.ts';
import { midiToScore } from '../../midi/transformSource.ts';
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
  origin: 'new' | 'stored' | 'rebuilt';
  resultId?: string;
}

export class Track {
  readonly id = randomUUID().slice(0, 8);
  /** Resolves when the first audio packet of this track has been sent to Discord. */
  readonly audible: Promise<void>;
  private markAudibleOnce!: () => void;

  constructor(
    readonly info: TrackInfo,
    private readonly source: OggSource,
  ) {
    this.audible = new Promise((resolve) => (this.markAudibleOnce = resolve));
  }

  /** Called by the session when the first packet went out (idempotent). */
  markAudible(): void {
    this.markAudibleOnce();
  }

  /** Called once its audio has been produced in full (a live render finished). */
  onComplete(listener: () => void): void {
    this.source.onComplete(listener);
  }

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
  return scoreTrack(score, requestedBy, { ...opts, origin: 'new' });
}

/** A stored piece whose audio is gone, from its MIDI (throws SourceMidiError if the file is not one of ours). */
export function rebuiltTrack(resultId: string, midi: Buffer, requestedBy: string, opts: { soundfont?: string } = {}): Track {
  const track = scoreTrack(midiToScore(midi), requestedBy, { ...opts, origin: 'rebuilt' });
  track.info.resultId = resultId;
  return track;
}

/** Stream-render `score` on prepare(). */
function scoreTrack(score: Score, requestedBy: string, opts: { soundfont?: string; origin: 'new' | 'rebuilt' }): Track {
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
      origin: opts.origin,
    },
    source,
  );
}

function bufferStream(bytes: Buffer): Readable {
  return Readable.from([bytes], { objectMode: false });
}
