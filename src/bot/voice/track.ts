/**
 * A track in a guild's voice queue: what it is (for /queue and /nowplaying) and how to get its
 * Ogg Opus from any point at any volume.
 *
 * Three kinds:
 *  - a stored result (the "Play in voice" button, or /play of a request already composed): its
 *    Ogg Opus bytes are played as they are; a stored mp3/wav goes through ffmpeg once.
 *  - a new piece (/play): composed and stream-rendered by a worker (src/queue/voiceStream.ts),
 *    whose Ogg pages arrive through Redis while it is still rendering; the bot process composes
 *    and renders nothing, it only demuxes what arrives.
 *  - a rebuilt piece ("Play in voice" on a result whose audio has expired from the store): its
 *    MIDI (kept in the store, or the file posted with the result) goes to a worker, which reads it
 *    back into a score and stream-renders it the same way. Same notes, same SoundFont, no composing.
 *
 * `audible` resolves when the track's first audio packet has actually gone out to Discord (the
 * session sees the dispatch), which is when "Now playing" becomes true.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { CompositionRequest } from '../../core/request.ts';
import type { StoredPiece } from '../../queue/resultStore.ts';
import type { RemoteVoiceStream, VoiceStreams } from '../../queue/voiceStream.ts';
import { ffmpegOgg, OggSource } from './source.ts';

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
    /** Stops whatever feeds the source from elsewhere (a worker's stream). */
    private readonly release?: () => void,
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

  /** What open() gives at `volume`: Ogg Opus bytes, or Opus packets one by one (nothing to demux). */
  streamType(_volume: number): 'ogg' | 'opus' {
    return 'ogg';
  }

  /** Producing its audio failed (not called after dispose). */
  onFailure(listener: (error: Error) => void): void {
    this.source.onFailure(listener);
  }

  dispose(): void {
    this.source.dispose();
    this.release?.();
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
 * A new piece: a worker composes and stream-renders it (voiceStream.ts) and hands its Ogg pages
 * over through Redis. Resolves once the worker said what the piece is (its first entry).
 */
export async function newTrack(streams: VoiceStreams, request: CompositionRequest, requestedBy: string, opts: { soundfont?: string } = {}): Promise<Track> {
  return remoteTrack(streams.start({ request, soundfont: opts.soundfont }), requestedBy, 'new');
}

/** A stored piece whose audio is gone, rendered again by a worker from its MIDI. */
export async function rebuiltTrack(streams: VoiceStreams, resultId: string, midi: Buffer, requestedBy: string, opts: { soundfont?: string } = {}): Promise<Track> {
  const track = await remoteTrack(streams.start({ midi, soundfont: opts.soundfont }), requestedBy, 'rebuilt');
  track.info.resultId = resultId;
  return track;
}

async function remoteTrack(remote: RemoteVoiceStream, requestedBy: string, origin: 'new' | 'rebuilt'): Promise<Track> {
  let info;
  try {
    info = await remote.info;
  } catch (error) {
    remote.cancel();
    throw error;
  }
  return new Track({ ...info, requestedBy, origin }, new OggSource(() => remote.audio), () => remote.cancel());
}

function bufferStream(bytes: Buffer): Readable {
  return Readable.from([bytes], { objectMode: false });
}
