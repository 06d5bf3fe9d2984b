/**
 * The images an image viewer steps through: every image shown around the one opened, in the
 * order they appear (the conversation's loaded history, or the thread with its root).
 */
import { history, threadReplies } from './store'
import type { Message, StoredFile } from './types'

/** Files the viewer can show: the ones the message list shows as pictures. */
export function isViewable(file: StoredFile): boolean {
  return file.has_thumbnail
}

function imagesOf(messages: readonly Message[]): StoredFile[] {
  return messages.flatMap((m) => (m.deleted ? [] : m.files.filter(isViewable)))
}

export function galleryAround(message: Message, inThread: boolean): StoredFile[] {
  const loaded = history(message.channel_id)?.items ?? []
  let shown: readonly Message[]
  if (inThread && message.thread_root_id !== null) {
    const root = loaded.find((m) => m.id === message.thread_root_id)
    shown = [...(root ? [root] : []), ...(threadReplies(message.thread_root_id) ?? [])]
  } else if (inThread) {
    shown = [message, ...(threadReplies(message.id) ?? [])]
  } else {
    shown = loaded
  }
  const images = imagesOf(shown)
  // Never without the one opened (a list that changed meanwhile, a message shown elsewhere).
  return images.some((f) => message.file_ids.includes(f.id)) ? images : imagesOf([message])
}
