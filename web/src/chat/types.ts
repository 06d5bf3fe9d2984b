/** Shapes of the messaging API (shared/API.md "Channels", "Messages", "Files"): the server's own. */
import type { Schema } from '../api/types'

export type ChannelKind = Schema<'ChannelKind'>
export type Channel = Schema<'ChannelOut'>
/** A channel as its member sees it in the sidebar (DMs: `member_ids` names everyone in it). */
export type MyChannel = Schema<'MyChannel'>
export type Mentions = Schema<'Mentions'>
/** `html` is rendered Markdown, already sanitised by the server: the only HTML we ever insert. */
export type Message = Schema<'MessageOut'>
export type MessagePage = Schema<'MessagePage'>
export type Thread = Schema<'ThreadOut'>
export type Member = Schema<'MemberOut'>
export type Receipts = Schema<'Receipts'>
export type AckStatus = Schema<'AckStatus'>
export type StoredFile = Schema<'FileOut'>
/** A channel as the channel directory lists it (`can_preview` false: known by name only). */
export type DirectoryChannel = Schema<'DirectoryChannel'>

/** A message typed here that the server has not confirmed yet. */
export interface PendingMessage {
  client_msg_id: string
  channel_id: number
  text: string
  thread_root_id: number | null
  file_ids: number[]
  ack_required: boolean
  created_at: string
  status: 'sending' | 'failed'
  /** Set when the server refused it (not a network problem): only a manual retry helps. */
  error: string | null
}
