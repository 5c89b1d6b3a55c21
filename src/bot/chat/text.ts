/** Message text as a prompt: Discord's mention, channel, role and custom-emoji markup removed. */
export function stripDiscordMarkup(content: string): string {
  return content
    .replace(/<(?:@[!&]?|#)\d+>/g, ' ')
    .replace(/<a?:\w+:\d+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
