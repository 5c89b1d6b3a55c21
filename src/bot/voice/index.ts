/**
 * Voice playback: the /play family (commands/play.ts, queue, skip, stop, nowplaying, volume) and
 * the "Play in voice" button. registerVoice puts the VoiceManager in ctx.services.voice and
 * registers the `play` component; stop() leaves every voice channel.
 */
import { registerComponent } from '../components/index.ts';
import type { BotContext } from '../context.ts';
import { VoiceManager } from './manager.ts';
import { playButton } from './play.ts';

export function registerVoice(ctx: BotContext): { stop(): Promise<void> } {
  const manager = new VoiceManager({
    client: ctx.client,
    logger: ctx.logger.child({ component: 'voice' }),
    idleSec: ctx.config.VOICE_IDLE_SEC,
    gauge: ctx.metrics.voiceConnections,
    volumeStore: {
      load: async (guildId) => (await ctx.settings.get(guildId)).volumePercent,
      save: async (guildId, volumePercent) => void (await ctx.settings.update(guildId, { volumePercent })),
    },
  });
  ctx.services.voice = manager;
  registerComponent('play', (interaction, context, resultId) => playButton(interaction, context, resultId));
  return { stop: () => manager.stop() };
}
