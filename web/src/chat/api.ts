import { api, uploadForm } from '../api/client'
import type { ItemList, Page, Schema } from '../api/types'
import type {
  AckStatus,
  Channel,
  ChannelKind,
  DirectoryChannel,
  Member,
  Message,
  MessagePage,
  MyChannel,
  Receipts,
  StoredFile,
  Thread,
} from './types'

export async function listMyChannels(): Promise<MyChannel[]> {
  return (await api.get<ItemList<MyChannel>>('/api/v1/channels')).items
}

/** DMs are opened with `openDm`, never created as channels. */
export type ChannelDraft = Omit<Schema<'ChannelCreate'>, 'kind'> & { kind: Exclude<ChannelKind, 'dm'> }

export function createChannel(draft: ChannelDraft): Promise<Channel> {
  return api.post<Channel>('/api/v1/channels', draft)
}

export function openDm(userIds: number[]): Promise<Channel> {
  return api.post<Channel>('/api/v1/dms', { user_ids: userIds })
}

export async function listMembers(channelId: number): Promise<Member[]> {
  return (await api.get<ItemList<Member>>(`/api/v1/channels/${channelId}/members`)).items
}

/** Adds people to a channel (its members, or an admin, may); answers the members after. */
export async function addMembers(channelId: number, userIds: number[]): Promise<Member[]> {
  return (await api.post<ItemList<Member>>(`/api/v1/channels/${channelId}/members`, { user_ids: userIds })).items
}

export type MentionSuggestion = Schema<'MentionSuggestion'>
export type MentionSuggestions = Schema<'MentionSuggestions'>

/** What typing @`q` in this conversation offers, best first (the server ranks). */
export function suggestMentions(channelId: number, q: string, signal?: AbortSignal): Promise<MentionSuggestions> {
  return api.get<MentionSuggestions>(`/api/v1/channels/${channelId}/mention-suggestions`, { q, limit: 10 }, signal)
}

export function leaveChannel(channelId: number): Promise<void> {
  return api.post<void>(`/api/v1/channels/${channelId}/leave`)
}

/** The channel directory: public and department channels, joined or not, matching `q`. */
export function browseChannels(query: { q?: string; cursor?: string | null }, signal?: AbortSignal): Promise<Page<DirectoryChannel>> {
  return api.get<Page<DirectoryChannel>>('/api/v1/channels/browse', { limit: 50, ...query }, signal)
}

export function joinChannel(channelId: number): Promise<void> {
  return api.post<void>(`/api/v1/channels/${channelId}/join`)
}

export type HistoryCursor = { before: number } | { after: number } | { around: number } | Record<string, never>

export function listMessages(channelId: number, cursor: HistoryCursor, limit = 50): Promise<MessagePage> {
  return api.get<MessagePage>(`/api/v1/channels/${channelId}/messages`, { ...cursor, limit })
}

export type SendBody = Schema<'MessageCreate'>

export function sendMessage(channelId: number, body: SendBody): Promise<Message> {
  return api.post<Message>(`/api/v1/channels/${channelId}/messages`, body)
}

export function getMessage(id: number, signal?: AbortSignal): Promise<Message> {
  return api.get<Message>(`/api/v1/messages/${id}`, undefined, signal)
}

export function editMessage(id: number, text: string): Promise<Message> {
  return api.patch<Message>(`/api/v1/messages/${id}`, { text })
}

export function deleteMessage(id: number): Promise<void> {
  return api.delete(`/api/v1/messages/${id}`)
}

export function getThread(rootId: number): Promise<Thread> {
  return api.get<Thread>(`/api/v1/messages/${rootId}/thread`)
}

export function react(id: number, emoji: string, add: boolean): Promise<void> {
  const path = `/api/v1/messages/${id}/reactions/${encodeURIComponent(emoji)}`
  return add ? api.put<void>(path, undefined) : api.delete(path)
}

export function setPinned(id: number, pinned: boolean): Promise<void> {
  const path = `/api/v1/messages/${id}/pin`
  return pinned ? api.put<void>(path, undefined) : api.delete(path)
}

export function listPins(channelId: number): Promise<Message[]> {
  return api.get<Message[]>(`/api/v1/channels/${channelId}/pins`)
}

export function markRead(channelId: number, messageId: number): Promise<void> {
  return api.post<void>(`/api/v1/channels/${channelId}/read`, { message_id: messageId })
}

export function getReceipts(id: number): Promise<Receipts> {
  return api.get<Receipts>(`/api/v1/messages/${id}/receipts`)
}

export function acknowledge(id: number): Promise<void> {
  return api.post<void>(`/api/v1/messages/${id}/ack`)
}

export function getAcks(id: number): Promise<AckStatus> {
  return api.get<AckStatus>(`/api/v1/messages/${id}/acks`)
}

export function remindUnacknowledged(id: number): Promise<AckStatus> {
  return api.post<AckStatus>(`/api/v1/messages/${id}/remind`)
}

export function fileUrl(id: number): string {
  return `/api/v1/files/${id}`
}

export function thumbnailUrl(id: number): string {
  return `/api/v1/files/${id}/thumbnail`
}

/** Uploads one file (`onProgress` gets 0..1); the promise settles with the stored file. */
export function uploadFile(file: File, onProgress: (fraction: number) => void): { done: Promise<StoredFile>; abort: () => void } {
  const form = new FormData()
  form.append('file', file, file.name)
  return uploadForm<StoredFile>('/api/v1/files', form, onProgress)
}
