/** Routes every interaction to its command or component handler; no error escapes to crash the bot. */
import { randomUUID } from 'node:crypto';
import { Events, MessageFlags, type Interaction, type Client } from 'discord.js';
import type { BotContext } from './context.ts';
import { COMPONENT_HANDLERS } from './components/index.ts';
import { parseCustomId } from './messages.ts';
import { isMessageCommand, type AnyCommandModule } from './registry.ts';

export function attachRouter(client: Client, commands: Map<string, AnyCommandModule>, ctx: BotContext): void {
  client.on(Events.InteractionCreate, (interaction) => void route(interaction, commands, ctx));
}

async function route(interaction: Interaction, commands: Map<string, AnyCommandModule>, ctx: BotContext): Promise<void> {
  const log = ctx.logger.child({ requestId: interaction.id, user: interaction.user.id, guild: interaction.guildId });
  try {
    if (interaction.isMessageContextMenuCommand()) {
      const command = commands.get(interaction.commandName);
      if (!command || !isMessageCommand(command)) {
        await interaction.reply({ content: `I don't know “${interaction.commandName}” any more. Ask an admin to run the deploy step.`, flags: MessageFlags.Ephemeral });
        return;
      }
      log.info({ command: interaction.commandName }, 'message command');
      await command.execute(interaction, ctx);
    } else if (interaction.isChatInputCommand()) {
      const command = commands.get(interaction.commandName);
      if (!command || isMessageCommand(command)) {
        await interaction.reply({ content: `I don't know /${interaction.commandName} any more. The server's commands may be out of date; ask an admin to run the deploy step.`, flags: MessageFlags.Ephemeral });
        return;
      }
      log.info({ command: interaction.commandName }, 'command');
      await command.execute(interaction, ctx);
    } else if (interaction.isAutocomplete()) {
      const command = commands.get(interaction.commandName);
      if (command && !isMessageCommand(command)) await command.autocomplete?.(interaction, ctx);
    } else if (interaction.isButton() || interaction.isStringSelectMenu()) {
      const parsed = parseCustomId(interaction.customId);
      const handler = parsed && COMPONENT_HANDLERS.get(parsed.action);
      if (!parsed || !handler) {
        await interaction.reply({ content: 'This button is from an older version of the bot and no longer works. Use /compose to start again.', flags: MessageFlags.Ephemeral });
        return;
      }
      log.info({ component: parsed.action }, 'component');
      await handler(interaction, ctx, parsed.resultId, parsed.extra);
    }
  } catch (error) {
    const errorId = randomUUID().slice(0, 8);
    log.error({ err: error instanceof Error ? error.stack : String(error), errorId }, 'interaction failed');
    if (!interaction.isRepliable()) return;
    const content = `Something went wrong on my side (error ${errorId}). It has been logged; please try again.`;
    try {
      if (interaction.deferred || interaction.replied) await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
      else await interaction.reply({ content, flags: MessageFlags.Ephemeral });
    } catch {
      // The interaction may have expired; nothing more to do.
    }
  }
}
