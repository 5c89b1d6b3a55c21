import { snowflake } from './snowflake.ts';

type Json = Record<string, unknown>;

/** An application command as Discord stores and returns it. */
export interface RegisteredCommand extends Json {
  id: string;
  application_id: string;
  guild_id?: string;
  name: string;
  type: number;
  description: string;
  options?: Json[];
  version: string;
}

/**
 * Commands registered through the REST API (bulk PUT, POST, PATCH, DELETE), global and per
 * guild. `invoke()` types interaction options from these definitions, as the Discord client
 * does, so a bot whose definitions and handlers disagree fails here too.
 */
export class CommandRegistry {
  readonly global: RegisteredCommand[] = [];
  readonly guilds = new Map<string, RegisteredCommand[]>();
  /** Each bulk overwrite received: the raw PUT body and the guild (null = global). */
  readonly overwrites: { guildId: string | null; body: Json[]; at: number }[] = [];

  constructor(private readonly applicationId: string) {}

  list(guildId: string | null): RegisteredCommand[] {
    if (!guildId) return this.global;
    let l = this.guilds.get(guildId);
    if (!l) this.guilds.set(guildId, (l = []));
    return l;
  }

  /** Bulk overwrite; ids are kept for commands whose (type, name) did not change, like Discord. */
  overwrite(body: Json[], guildId: string | null): RegisteredCommand[] {
    this.overwrites.push({ guildId, body: structuredClone(body), at: Date.now() });
    const old = this.list(guildId);
    const next = body.map((def) => this.toRegistered(def, guildId, old));
    old.splice(0, old.length, ...next);
    return next;
  }

  upsert(def: Json, guildId: string | null): RegisteredCommand {
    const l = this.list(guildId);
    const cmd = this.toRegistered(def, guildId, l);
    const i = l.findIndex((c) => c.id === cmd.id);
    if (i >= 0) l[i] = cmd;
    else l.push(cmd);
    return cmd;
  }

  remove(id: string, guildId: string | null): boolean {
    const l = this.list(guildId);
    const i = l.findIndex((c) => c.id === id);
    if (i >= 0) l.splice(i, 1);
    return i >= 0;
  }

  /** A command of `type` (1 chat input, 2 user, 3 message) visible in a guild (guild commands shadow global ones). */
  find(name: string, guildId: string | null, type = 1): RegisteredCommand | undefined {
    const isChat = (c: RegisteredCommand) => c.name === name && c.type === type;
    return (guildId ? this.guilds.get(guildId)?.find(isChat) : undefined) ?? this.global.find(isChat);
  }

  private toRegistered(def: Json, guildId: string | null, existing: RegisteredCommand[]): RegisteredCommand {
    const type = Number(def.type ?? 1);
    const prev = existing.find((c) => c.name === def.name && c.type === type);
    return {
      ...def,
      id: prev?.id ?? snowflake(),
      application_id: this.applicationId,
      ...(guildId ? { guild_id: guildId } : {}),
      name: String(def.name),
      type,
      description: String(def.description ?? ''),
      default_member_permissions: (def.default_member_permissions as string | null | undefined) ?? null,
      nsfw: Boolean(def.nsfw ?? false),
      contexts: (def.contexts as number[] | null | undefined) ?? null,
      integration_types: (def.integration_types as number[] | undefined) ?? [0],
      version: snowflake(),
    };
  }
}
