import type { UploadedFile } from './multipart.ts';
import { snowflake } from './snowflake.ts';
import type { FakeUser } from './world.ts';

/**
 * Messages the bot created (channel messages, interaction responses, follow-ups), with their
 * attachments' bytes, and every edit as a snapshot. Attachments are served back over HTTP at
 * their `url`, so a bot that downloads an attachment gets the real bytes.
 */

export const MessageFlags = { Ephemeral: 1 << 6, Loading: 1 << 7, IsComponentsV2: 1 << 15 } as const;

export interface FakeAttachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  data: Buffer;
  description?: string;
  url: string;
}

export interface MessageSnapshot {
  at: number;
  content: string;
  embeds: Record<string, unknown>[];
  components: Record<string, unknown>[];
  attachments: FakeAttachment[];
  flags: number;
}

type Json = Record<string, unknown>;

export class FakeMessage {
  readonly id = snowflake();
  readonly createdAt = new Date();
  editedAt: Date | null = null;
  content = '';
  embeds: Json[] = [];
  components: Json[] = [];
  attachments: FakeAttachment[] = [];
  flags = 0;
  deleted = false;
  /** Users the message mentions (a reply that pings includes the replied-to author). */
  mentions: FakeUser[] = [];
  /** The message this one replies to (message_reference). */
  reference: FakeMessage | null = null;
  /** The state after creation and after every edit, oldest first. */
  readonly history: MessageSnapshot[] = [];

  constructor(
    readonly channelId: string,
    readonly guildId: string | null,
    readonly author: FakeUser,
    readonly interaction: { id: string; type: number; name?: string; user: FakeUser } | null,
    readonly applicationId: string | null,
  ) {}

  get ephemeral(): boolean {
    return (this.flags & MessageFlags.Ephemeral) !== 0;
  }

  /** Still the "Bot is thinking…" placeholder of a deferred reply. */
  get loading(): boolean {
    return (this.flags & MessageFlags.Loading) !== 0;
  }

  /** The attachment with this file name (or extension, e.g. '.mid'); throws if absent. */
  attachment(nameOrExt: string): FakeAttachment {
    const a = this.attachments.find((x) => x.filename === nameOrExt || x.filename.endsWith(nameOrExt));
    if (!a) {
      throw new Error(`message ${this.id} has no attachment ${nameOrExt} (has: ${this.attachments.map((x) => x.filename).join(', ') || 'none'})`);
    }
    return a;
  }

  /** Every custom_id on the message's components (buttons and selects), depth-first. */
  get customIds(): string[] {
    return findComponents(this.components).map((c) => String(c.custom_id));
  }

  /** The component (button/select) with this custom_id, or undefined. */
  component(customId: string): Json | undefined {
    return findComponents(this.components).find((c) => c.custom_id === customId);
  }

  snapshot(): void {
    this.history.push({
      at: Date.now(),
      content: this.content,
      embeds: structuredClone(this.embeds),
      components: structuredClone(this.components),
      attachments: [...this.attachments],
      flags: this.flags,
    });
  }

  toAPI(withReferenced = true): Record<string, unknown> {
    return {
      id: this.id,
      type: this.interaction?.type === 2 ? 20 : this.reference ? 19 : 0,
      channel_id: this.channelId,
      ...(this.guildId ? { guild_id: this.guildId } : {}),
      author: this.author.toAPI(),
      content: this.content,
      timestamp: this.createdAt.toISOString(),
      edited_timestamp: this.editedAt?.toISOString() ?? null,
      tts: false,
      mention_everyone: false,
      mentions: this.mentions.map((u) => u.toAPI()),
      mention_roles: [],
      ...(this.reference
        ? {
            message_reference: { type: 0, message_id: this.reference.id, channel_id: this.reference.channelId, ...(this.reference.guildId ? { guild_id: this.reference.guildId } : {}) },
            ...(withReferenced ? { referenced_message: this.reference.deleted ? null : this.reference.toAPI(false) } : {}),
          }
        : {}),
      attachments: this.attachments.map((a) => ({
        id: a.id,
        filename: a.filename,
        size: a.size,
        url: a.url,
        proxy_url: a.url,
        content_type: a.contentType,
        ...(a.description ? { description: a.description } : {}),
        ...(this.ephemeral ? { ephemeral: true } : {}),
      })),
      embeds: this.embeds,
      components: this.components,
      pinned: false,
      flags: this.flags,
      ...(this.applicationId ? { application_id: this.applicationId, webhook_id: this.applicationId } : {}),
      ...(this.interaction
        ? {
            interaction_metadata: {
              id: this.interaction.id,
              type: this.interaction.type,
              user: this.interaction.user.toAPI(),
              authorizing_integration_owners: this.guildId ? { '0': this.guildId } : {},
            },
            interaction: {
              id: this.interaction.id,
              type: this.interaction.type,
              name: this.interaction.name ?? '',
              user: this.interaction.user.toAPI(),
            },
          }
        : {}),
    };
  }
}

function findComponents(nodes: Json[]): Json[] {
  const out: Json[] = [];
  for (const n of nodes) {
    if (typeof n.custom_id === 'string' && n.type !== 1) out.push(n);
    for (const key of ['components', 'accessory']) {
      const child = n[key];
      if (Array.isArray(child)) out.push(...findComponents(child as Json[]));
      else if (child && typeof child === 'object') out.push(...findComponents([child as Json]));
    }
  }
  return out;
}

export class MessageStore {
  readonly all: FakeMessage[] = [];
  /** Every attachment ever uploaded, by id (served by the fake's /attachments route). */
  readonly attachments = new Map<string, FakeAttachment>();

  constructor(private readonly attachmentBase: () => string) {}

  create(init: ConstructorParameters<typeof FakeMessage>): FakeMessage {
    const m = new FakeMessage(...init);
    this.all.push(m);
    return m;
  }

  get(id: string): FakeMessage | undefined {
    return this.all.find((m) => m.id === id);
  }

  /** What everyone sees in a channel: not deleted, not ephemeral. */
  inChannel(channelId: string): FakeMessage[] {
    return this.all.filter((m) => m.channelId === channelId && !m.deleted && !m.ephemeral);
  }

  /** Store an uploaded (or test-provided) file and give it a URL the fake serves. */
  storeAttachment(channelId: string, file: { filename: string; contentType: string; data: Buffer; description?: string }): FakeAttachment {
    const id = snowflake();
    const a: FakeAttachment = {
      id,
      filename: file.filename,
      contentType: file.contentType,
      size: file.data.length,
      data: file.data,
      description: file.description,
      url: `${this.attachmentBase()}/attachments/${channelId}/${id}/${encodeURIComponent(file.filename)}`,
    };
    this.attachments.set(id, a);
    return a;
  }

  /**
   * Apply a create/edit body with Discord's v10 semantics: fields present replace the old
   * ones; `attachments` (when present) is the complete list to keep — entries with an existing
   * id keep that attachment, entries whose id is an upload index take `files[index]`; uploads
   * not listed are appended.
   */
  apply(message: FakeMessage, body: Json, files: UploadedFile[], isEdit: boolean): void {
    if ('content' in body) message.content = String(body.content ?? '');
    if ('embeds' in body) message.embeds = (body.embeds ?? []) as Json[];
    if ('components' in body) message.components = (body.components ?? []) as Json[];
    if ('flags' in body && body.flags !== null && body.flags !== undefined) {
      const requested = Number(body.flags);
      // Ephemerality is fixed at creation; edits may only toggle the other flags.
      message.flags = isEdit
        ? (message.flags & MessageFlags.Ephemeral) | (requested & ~MessageFlags.Ephemeral & ~MessageFlags.Loading)
        : requested & ~MessageFlags.Loading;
    }
    const uploads = new Map(files.map((f) => [f.index, f]));
    const listed = new Set<number>();
    let next: FakeAttachment[] = isEdit ? [...message.attachments] : [];
    if (Array.isArray(body.attachments)) {
      next = [];
      for (const entry of body.attachments as Json[]) {
        const existing = message.attachments.find((a) => a.id === String(entry.id));
        if (existing) {
          next.push(existing);
          continue;
        }
        const upload = uploads.get(Number(entry.id));
        if (!upload) continue;
        listed.add(upload.index);
        next.push(this.storeAttachment(message.channelId, {
          filename: String(entry.filename ?? upload.filename),
          contentType: upload.contentType,
          data: upload.data,
          description: typeof entry.description === 'string' ? entry.description : undefined,
        }));
      }
    }
    for (const f of files) {
      if (!listed.has(f.index)) next.push(this.storeAttachment(message.channelId, f));
    }
    message.attachments = next;
    if (isEdit) {
      message.flags &= ~MessageFlags.Loading;
      message.editedAt = new Date();
    }
    message.snapshot();
  }
}

/** Discord refuses a message with nothing to show (code 50006). */
export function isEmptyMessage(m: FakeMessage): boolean {
  return !m.content && m.embeds.length === 0 && m.attachments.length === 0 && m.components.length === 0;
}
