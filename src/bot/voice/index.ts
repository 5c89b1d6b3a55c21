/**
 * Voice playback: the /play family (commands/play.ts, queue, skip, stop, nowplaying, volume) and
 * the "Play in voice" button. registerVoice puts the VoiceManager in ctx.services.voice and
 * registers the `play` component; stop() leaves every voice channel.
 */
import { registerComponent } from '../components/index.ts';
import type { BotContext } from '../context.ts';
import { VoiceStreams } from '../../queue/voiceStream.ts';
import { VoiceManager } from './manager.ts';
import { playButton } from './play.ts';

export function registerVoice(ctx: BotContext): { stop(): Promise<void> } {
  // A worker that dies mid-piece loses its lock; another takes the stream over after about this long.
  const takeoverMs = ctx.config.JOB_LOCK_MS + 2 * ctx.config.JOB_STALLED_CHECK_MS;
  const manager = new VoiceManager({
    client: ctx.client,
    logger: ctx.logger.child({ component: 'voice' }),
    idleSec: ctx.config.VOICE_IDLE_SEC,
    gauge: ctx.metrics.voiceConnections,
    // The player waits out a takeover (sending silence) rather than dropping the piece; the stream
    // itself gives up first (below), with a message to the member.
    maxUnderrunMs: takeoverMs + 25_000,
    volumeStore: {
      load: async (guildId) => (await ctx.settings.get(guildId)).volumePercent,
      save: async (guildId, volumePercent) => void (await ctx.settings.update(guildId, { volumePercent })),
    },
  });
  ctx.services.voice = manager;
  // Long enough for a dead worker's stream job to be noticed and retaken by another worker.
  const streams = new VoiceStreams(ctx.redis, { idleTimeoutMs: takeoverMs + 20_000, logger: ctx.logger.child({ component: 'voice streams' }) });
  ctx.services.voiceStreams = streams;
  registerComponent('play', (interaction, context, resultId) => playButton(interaction, context, resultId));
  return {
    stop: async () => {
      await manager.stop();
      await streams.close();
    },
  };
}
