/** Shapes of the messaging API (shared/API.md "Channels", "Messages", "Files"). */

export type ChannelKind = 'public' | 'private' | 'department' | 'announcement' | 'dm'

export interface Channel {
  id: number
  name: string
  kind: ChannelKind
  description: string
  topic: string
  department_id: number | null
  archived: boolean
  created_at: string
  last_message_id: number | null
  member_count: number
}

/** A channel as its member sees it in the sidebar. */
export interface MyChannel extends Channel {
  unread_count: number
  mention_count: number
  last_read_id: number
  role: string
  /** DMs: everyone in the conversation, so the client can name it. */
  member_ids: number[] | null
}

export interface Mentions {
  user_ids: number[]
  department_ids: number[]
  all: boolean
}

export interface Message {
  id: number
  channel_id: number
  sender_id: number
  text: string
  /** Rendered Markdown, already sanitised by the server: the only HTML we ever insert. */
  html: string
  created_at: string
  edited_at: string | null
  deleted: boolean
  thread_root_id: number | null
  reply_count: number
  last_reply_at: string | null
  reactions: Record<string, number[]>
  mentions: Mentions
  file_ids: number[]
  ack_required: boolean
  client_msg_id: string | null
  pinned: boolean
}

export interface MessagePage {
  items: Message[]
  before: number | null
  after: number | null
}

export interface Thread {
  root: Message
  replies: Message[]
  follower_ids: number[]
}

export interface Member {
  user_id: number
  role: string
  last_read_id: number
}

export interface Receipts {
  read: number[]
  unread: number[]
}

export interface AckStatus {
  acknowledged: number[]
  pending: number[]
}

export interface StoredFile {
  id: number
  name: string
  size: number
  content_type: string
  width: number | null
  height: number | null
  has_thumbnail: boolean
  created_at: string
}

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
