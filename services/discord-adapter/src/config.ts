// The Discord adapter's configuration: the shared chat adapter variables plus the Discord application's public key
// (verifies interactions), its id, the bot token (a secret: never logged) and where Discord's API is (a local
// stand-in in tests).
import { Matches } from 'class-validator';
import { ChatAdapterConfig } from '@kubelabs/chat';

export class DiscordAdapterConfig extends ChatAdapterConfig {
  override HTTP_PORT: number = 8086;

  /** The application's public key (General Information), 64 hexadecimal digits. */
  @Matches(/^[0-9a-f]{64}$/, { message: 'DISCORD_PUBLIC_KEY must be 64 lower-case hexadecimal digits' })
  DISCORD_PUBLIC_KEY: string = '';

  @Matches(/^[0-9]{15,21}$/, { message: 'DISCORD_APPLICATION_ID must be a Discord snowflake id' })
  DISCORD_APPLICATION_ID: string = '';

  @Matches(/^[A-Za-z0-9._-]{20,200}$/, { message: 'DISCORD_BOT_TOKEN must be a Discord bot token' })
  DISCORD_BOT_TOKEN: string = '';

  /** Discord's API root, without the version. */
  @Matches(/^https?:\/\/[^\s]+[^/\s]$/, { message: 'DISCORD_API_URL must be an http(s) URL without a trailing /' })
  DISCORD_API_URL: string = 'https://discord.com/api';
}
