/**
 * Slash commands as the discord.js guide lays them out: one module per command in `commands/`,
 * each exporting `data` (its builder) and `execute` (and `autocomplete` if it has choices to
 * suggest). The registry loads every module; the deploy script registers their `data`.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AutocompleteInteraction, ChatInputCommandInteraction, SharedSlashCommand } from 'discord.js';
import type { BotContext } from './context.ts';

export interface CommandModule {
  data: SharedSlashCommand;
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void>;
}

export const COMMANDS_DIR = fileURLToPath(new URL('../../commands/', import.meta.url));

function isCommandModule(value: unknown): value is CommandModule {
  const m = value as Partial<CommandModule> | undefined;
  return !!m && typeof m.execute === 'function' && !!m.data && typeof (m.data as { toJSON?: unknown }).toJSON === 'function';
}

export async function loadCommands(dir = COMMANDS_DIR): Promise<Map<string, CommandModule>> {
  const files = (await readdir(dir)).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();
  const commands = new Map<string, CommandModule>();
  for (const file of files) {
    const mod: unknown = await import(pathToFileURL(path.join(dir, file)).href);
    if (!isCommandModule(mod)) throw new Error(`commands/${file} must export "data" (a SlashCommandBuilder) and "execute"`);
    const name = mod.data.toJSON().name;
    if (commands.has(name)) throw new Error(`two command modules are named /${name}`);
    commands.set(name, mod);
  }
  return commands;
}
