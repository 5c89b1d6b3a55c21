/**
 * Slash commands as the discord.js guide lays them out: one module per command in `commands/`,
 * each exporting `data` (its builder) and `execute` (and `autocomplete` if it has choices to
 * suggest). The registry loads every module; the deploy script registers their `data`.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  ContextMenuCommandBuilder,
  SlashCommandBuilder,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type MessageContextMenuCommandInteraction,
  type SharedSlashCommand,
} from 'discord.js';
import type { BotContext } from './context.ts';
import { COMMAND_LOCALES, installFor } from './locales.ts';

export interface CommandModule {
  data: SharedSlashCommand;
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void>;
}

/** A message context-menu command ("Apps → Compose from this message"). */
export interface MessageCommandModule {
  data: ContextMenuCommandBuilder;
  execute(interaction: MessageContextMenuCommandInteraction, ctx: BotContext): Promise<void>;
}

export type AnyCommandModule = CommandModule | MessageCommandModule;

export function isMessageCommand(mod: AnyCommandModule): mod is MessageCommandModule {
  return mod.data instanceof ContextMenuCommandBuilder;
}

/**
 * Where the command works (integration types and contexts) and its names and descriptions in
 * other languages, from the one table in locales.ts.
 */
function applyLocalesAndInstall(mod: AnyCommandModule): void {
  const name = mod.data.name;
  const install = installFor(name);
  const locales = COMMAND_LOCALES[name];
  if (mod.data instanceof ContextMenuCommandBuilder) {
    mod.data.setIntegrationTypes(install.integrationTypes).setContexts(install.contexts);
    if (locales?.name) mod.data.setNameLocalizations(locales.name);
    return;
  }
  if (!(mod.data instanceof SlashCommandBuilder)) return;
  mod.data.setIntegrationTypes(install.integrationTypes).setContexts(install.contexts);
  if (locales?.name) mod.data.setNameLocalizations(locales.name);
  if (locales?.description) mod.data.setDescriptionLocalizations(locales.description);
  for (const option of mod.data.options) {
    const text = locales?.options?.[option.toJSON().name];
    if (text && 'setDescriptionLocalizations' in option) (option as { setDescriptionLocalizations(m: typeof text): unknown }).setDescriptionLocalizations(text);
  }
}

export const COMMANDS_DIR = fileURLToPath(new URL('../../commands/', import.meta.url));

function isCommandModule(value: unknown): value is AnyCommandModule {
  const m = value as Partial<CommandModule> | undefined;
  return !!m && typeof m.execute === 'function' && !!m.data && typeof (m.data as { toJSON?: unknown }).toJSON === 'function';
}

export async function loadCommands(dir = COMMANDS_DIR): Promise<Map<string, AnyCommandModule>> {
  const files = (await readdir(dir)).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();
  const commands = new Map<string, AnyCommandModule>();
  for (const file of files) {
    const mod: unknown = await import(pathToFileURL(path.join(dir, file)).href);
    if (!isCommandModule(mod)) throw new Error(`commands/${file} must export "data" (a SlashCommandBuilder or ContextMenuCommandBuilder) and "execute"`);
    const name = mod.data.toJSON().name;
    if (commands.has(name)) throw new Error(`two command modules are named /${name}`);
    applyLocalesAndInstall(mod);
    commands.set(name, mod);
  }
  return commands;
}
