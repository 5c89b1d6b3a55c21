/** Voice playback (the /play family and the "Play in voice" button) registers itself here. */
import type { BotContext } from '../context.ts';

export function registerVoice(_ctx: BotContext): { stop(): Promise<void> } {
  return { stop: async () => {} };
}
