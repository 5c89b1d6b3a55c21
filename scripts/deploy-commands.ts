/**
 * `npm run deploy-commands`: registers every command in commands/ with Discord — to DEV_GUILD_ID
 * (instant, for development) when set, else globally (may take up to an hour to appear).
 */
import { REST, Routes } from 'discord.js';
import { z } from 'zod';
import { ConfigError, loadDotEnv, parseConfig } from '../src/config.ts';
import { BotConfigSchema } from '../src/bot/config.ts';
import { loadCommands } from '../src/bot/registry.ts';

const DeployConfig = BotConfigSchema.pick({ DISCORD_TOKEN: true, DISCORD_APPLICATION_ID: true, DEV_GUILD_ID: true, DISCORD_API_BASE: true });

export async function deployCommands(env: NodeJS.ProcessEnv = process.env): Promise<{ count: number; scope: string }> {
  const config: z.infer<typeof DeployConfig> = parseConfig(DeployConfig, env);
  const commands = await loadCommands();
  const body = [...commands.values()].map((c) => c.data.toJSON());
  const rest = new REST(config.DISCORD_API_BASE ? { api: config.DISCORD_API_BASE } : {}).setToken(config.DISCORD_TOKEN);
  const route = config.DEV_GUILD_ID ? Routes.applicationGuildCommands(config.DISCORD_APPLICATION_ID, config.DEV_GUILD_ID) : Routes.applicationCommands(config.DISCORD_APPLICATION_ID);
  await rest.put(route, { body });
  return { count: body.length, scope: config.DEV_GUILD_ID ? `server ${config.DEV_GUILD_ID}` : 'all servers (global; can take a while to show up)' };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  loadDotEnv();
  deployCommands()
    .then(({ count, scope }) => console.log(`Registered ${count} commands for ${scope}.`))
    .catch((error) => {
      console.error(error instanceof ConfigError ? error.message : `Could not register the commands: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(error instanceof ConfigError ? 2 : 1);
    });
}
