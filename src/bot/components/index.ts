/**
 * Buttons and select menus under results. Custom ids are `ts:<action>:<resultId>[:…]`, so a
 * component keeps working after a restart: its state is in the id and in the result store.
 */
import type { ButtonInteraction, StringSelectMenuInteraction } from 'discord.js';
import type { BotContext } from '../context.ts';

export type ComponentInteraction = ButtonInteraction | StringSelectMenuInteraction;
export type ComponentHandler = (interaction: ComponentInteraction, ctx: BotContext, resultId: string, extra: string[]) => Promise<void>;

/** action → handler; filled by the modules below. */
export const COMPONENT_HANDLERS = new Map<string, ComponentHandler>();

export function registerComponent(action: string, handler: ComponentHandler): void {
  COMPONENT_HANDLERS.set(action, handler);
}
