// The Slack adapter's configuration: the shared chat adapter variables plus the Slack app's signing secret and bot
// token (both secrets: never logged) and where Slack's Web API is (a local stand-in in tests).
import { Matches } from 'class-validator';
import { ChatAdapterConfig } from '@kubelabs/chat';

export class SlackAdapterConfig extends ChatAdapterConfig {
  override HTTP_PORT: number = 8085;

  /** The app's signing secret (Basic Information > App Credentials). */
  @Matches(/^[A-Za-z0-9]{16,128}$/, { message: 'SLACK_SIGNING_SECRET must be 16-128 letters or digits' })
  SLACK_SIGNING_SECRET: string = '';

  /** The bot token (xoxb-...) the adapter sends direct messages with. */
  @Matches(/^xox[bpe]-[A-Za-z0-9-]{8,250}$/, { message: 'SLACK_BOT_TOKEN must be a Slack token (xoxb-...)' })
  SLACK_BOT_TOKEN: string = '';

  @Matches(/^https?:\/\/[^\s]+\/$/, { message: 'SLACK_API_URL must be an http(s) URL ending in /' })
  SLACK_API_URL: string = 'https://slack.com/api/';
}
